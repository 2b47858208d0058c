"""Turns the rendered kustomize base (deploy/k8s/base) into what `podman kube play` runs.

Reads the rendered YAML on standard input; writes into OUT:
  stores.yaml    PostgreSQL, Redis and NATS pods from the images deploy/Dockerfile builds (the base
                 leaves them to their projects' charts), named as the base's settings name them
  services.yaml  one Pod per Deployment, named as its Service (the name the others resolve),
                 with the Deployment's pod template as it is, except for what podman 4 does not
                 do (below)
  probes.tsv     container, then the command its readinessProbe stands for, one per line
  secrets/...    the Secrets' files for their volumes (hostPath)
What is changed, and why: Services, PodDisruptionBudgets and NetworkPolicies are left out (podman
has no kube-proxy nor policy engine; pods reach each other by name on one network); replicas
become one Pod; envFrom a ConfigMap and env from a Secret become plain env; secret and emptyDir
volumes become hostPath directories under OUT; topologySpreadConstraints are dropped. The
Secrets' placeholders are replaced by working values (a new Ed25519 key, cursor keys, the
database password of argument 2).
Usage: kubectl kustomize deploy/k8s/base | python3 tests/deploy/kube_pods.py OUT PG_PASSWORD INITDB_SQL
"""

import base64
import copy
import os
import shlex
import subprocess
import sys

import yaml

STORE_NAMES = {"postgres": "postgres-rw", "redis": "redis", "nats": "nats"}


def main():
    out, password, initdb = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
    configmaps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    secrets = {}
    for d in docs:
        if d["kind"] != "Secret":
            continue
        data = dict(d.get("stringData", {}))
        data.update({k: base64.b64decode(v).decode() for k, v in d.get("data", {}).items()})
        secrets[d["metadata"]["name"]] = {k: working_value(k, v, password) for k, v in data.items()}

    probes = []
    services = []
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        name = d["metadata"]["name"]
        template = copy.deepcopy(d["spec"]["template"])
        spec = template["spec"]
        spec.pop("topologySpreadConstraints", None)
        for c in spec["containers"]:
            env = []
            for source in c.pop("envFrom", []):
                cm = configmaps[source["configMapRef"]["name"]]
                env += [{"name": k, "value": str(v)} for k, v in cm.items()]
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    env.append({"name": e["name"], "value": secrets[ref["name"]][ref["key"]]})
                elif "valueFrom" in e:
                    sys.exit(f"kube_pods: {name}: env {e['name']} from {e['valueFrom']}")
                else:
                    env.append(e)
            c["env"] = env
            probe = c.get("readinessProbe")
            if probe:
                probes.append((f"{name}-{c['name']}", probe_command(c, probe)))
        for v in spec.get("volumes", []):
            directory = os.path.join(out, "volumes", f"{name}-{v['name']}")
            os.makedirs(directory, exist_ok=True)
            if "secret" in v:
                s = v.pop("secret")
                items = s.get("items") or [{"key": k, "path": k} for k in secrets[s["secretName"]]]
                for item in items:
                    path = os.path.join(directory, item["path"])
                    with open(path, "w") as f:
                        f.write(secrets[s["secretName"]][item["key"]])
                    os.chmod(path, s.get("defaultMode", 0o644))
                chown_for(spec, directory)
                os.chmod(directory, 0o550)
            elif "emptyDir" in v:
                v.pop("emptyDir")
                chown_for(spec, directory)
                os.chmod(directory, 0o770)
            else:
                sys.exit(f"kube_pods: {name}: volume {v['name']} of a kind not handled: {v}")
            v["hostPath"] = {"path": directory, "type": "Directory"}
        services.append({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": name, "labels": template["metadata"]["labels"]},
                         "spec": spec})

    stores = [
        store("postgres", "localhost/todo-postgres:latest",
              env=[{"name": "TODO_PG_PASSWORD", "value": password}],
              args=["-c", "max_connections=200", "-c", "shared_buffers=128MB"],
              probe=["pg_isready", "-q", "-h", "127.0.0.1", "-U", "todo", "-d", "todo_identity"],
              mounts=[{"name": "initdb", "mountPath": "/docker-entrypoint-initdb.d/10-todo.sql",
                       "readOnly": True}],
              volumes=[{"name": "initdb", "hostPath": {"path": initdb, "type": "File"}}]),
        store("redis", "localhost/todo-redis:latest",
              probe=["sh", "-c", "redis-cli ping | grep -q PONG"]),
        store("nats", "localhost/todo-nats:latest",
              probe=["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8222/healthz"]),
    ]
    for pod in stores:
        c = pod["spec"]["containers"][0]
        probes.insert(0, (f"{pod['metadata']['name']}-{c['name']}",
                          shlex.join(c["readinessProbe"]["exec"]["command"])))

    with open(os.path.join(out, "stores.yaml"), "w") as f:
        yaml.safe_dump_all(stores, f, sort_keys=False)
    with open(os.path.join(out, "services.yaml"), "w") as f:
        yaml.safe_dump_all(services, f, sort_keys=False)
    with open(os.path.join(out, "probes.tsv"), "w") as f:
        f.writelines(f"{ctr}\t{cmd}\n" for ctr, cmd in probes)


def working_value(key, value, password):
    if "REPLACE" not in value:
        return value
    if key.endswith(".pem"):
        return subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519"], check=True,
                              capture_output=True, text=True).stdout
    if key.endswith(".key"):
        return base64.b64encode(os.urandom(48)).decode() + "\n"
    if key == "TODO_PG":
        return value.replace("password=REPLACE", f"password={password}")
    sys.exit(f"kube_pods: no working value for the placeholder of {key}")


def chown_for(spec, directory):
    sc = spec.get("securityContext", {})
    os.chown(directory, sc.get("runAsUser", 0), sc.get("fsGroup", sc.get("runAsGroup", 0)))
    for entry in os.listdir(directory):
        os.chown(os.path.join(directory, entry), sc.get("runAsUser", 0),
                 sc.get("fsGroup", sc.get("runAsGroup", 0)))


def probe_command(container, probe):
    if "exec" in probe:
        return shlex.join(probe["exec"]["command"])
    get = probe["httpGet"]
    port = get["port"]
    if isinstance(port, str):
        port = next(p["containerPort"] for p in container["ports"] if p.get("name") == port)
    return shlex.join(["curl", "-fsS", "-o", "/dev/null", f"http://127.0.0.1:{port}{get['path']}"])


def store(kind, image, env=(), args=(), probe=(), mounts=(), volumes=()):
    name = STORE_NAMES[kind]
    container = {"name": kind, "image": image, "imagePullPolicy": "Never",
                 "readinessProbe": {"exec": {"command": list(probe)}, "periodSeconds": 5}}
    if env:
        container["env"] = list(env)
    if args:
        container["args"] = list(args)
    if mounts:
        container["volumeMounts"] = list(mounts)
    spec = {"containers": [container]}
    if volumes:
        spec["volumes"] = list(volumes)
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/name": kind}}, "spec": spec}


if __name__ == "__main__":
    main()
