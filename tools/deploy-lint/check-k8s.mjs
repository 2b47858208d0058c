// Checks rendered Kubernetes manifests (the output of `kubectl kustomize`), offline:
//  1. every object against its schema from kubernetes-models (types, required fields, enums),
//     and no field the schema does not know (a misspelt "readinesProbe" is otherwise valid:
//     the schemas allow unknown fields, so the fields the validator reads are recorded, and
//     an object's field it never read is reported);
//  2. what this system's manifests promise (deploy/k8s/README.md): probes, resources, shutdown
//     timing, a Service and a PodDisruptionBudget for every Deployment, selectors that select
//     something, references to ConfigMaps and Secrets that exist, and Secrets that hold only
//     placeholders.
// Usage: node check-k8s.mjs RENDERED.yaml...   Exits 1 on any finding.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const findings = [];
const find = (where, what) => findings.push(`${where}: ${what}`);

// A proxy that records which fields of each object (at any depth) the validator reads; one
// that enumerates an object's keys (a map such as labels or data) accepts all of them.
function tracked(value, path, records) {
  if (value === null || typeof value !== "object") return value;
  const record = { path, value, read: new Set(), enumerated: false };
  records.push(record);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return child;
      record.read.add(key);
      if (child === null || typeof child !== "object") return child;
      if (!children.has(key)) {
        const at = Array.isArray(target) ? `${path}[${key}]` : `${path}.${key}`;
        children.set(key, tracked(child, at, records));
      }
      return children.get(key);
    },
    ownKeys(target) {
      record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

async function validateSchema(obj, where) {
  const [group, version] = obj.apiVersion.includes("/")
    ? obj.apiVersion.split("/")
    : [null, obj.apiVersion];
  let model;
  try {
    const module = await import(`kubernetes-models/${group ? `${group}/` : ""}${version}/${obj.kind}`);
    model = module[obj.kind];
  } catch {
    find(where, `no schema for ${obj.apiVersion} ${obj.kind} (a custom resource does not belong in these manifests)`);
    return;
  }
  const records = [];
  try {
    model.prototype.validate.call(tracked(obj, "", records));
  } catch (e) {
    for (const error of e.errors ?? [{ instancePath: "", message: e.message }]) {
      find(where, `${error.instancePath || "/"} ${error.message}`);
    }
    return;
  }
  for (const { path, value, read, enumerated } of records) {
    if (Array.isArray(value) || enumerated) continue;
    for (const key of Object.keys(value)) {
      if (!read.has(key)) find(where, `unknown field ${path}.${key}`);
    }
  }
}

const selects = (selector, labels = {}) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) =>
    operator === "In" ? values.includes(labels[key])
      : operator === "NotIn" ? !values.includes(labels[key])
        : operator === "Exists" ? key in labels : !(key in labels));

const seconds = (command = []) => {
  const sleep = command.indexOf("sleep");
  return sleep >= 0 ? Number(command[sleep + 1]) : 0;
};

function checkSystem(objects, file) {
  const of = (kind) => objects.filter((o) => o.kind === kind);
  const name = (o) => `${file}: ${o.kind}/${o.metadata.name}`;
  const deployments = of("Deployment");
  const pods = deployments.map((d) => d.spec.template.metadata?.labels ?? {});
  const configMaps = new Map(of("ConfigMap").map((c) => [c.metadata.name, c]));
  const secrets = new Map(of("Secret").map((s) => [s.metadata.name, s]));
  const secretKeys = (n) => Object.keys({ ...secrets.get(n)?.data, ...secrets.get(n)?.stringData });

  for (const d of deployments) {
    const where = name(d);
    const spec = d.spec.template.spec;
    const labels = d.spec.template.metadata?.labels ?? {};
    if (!(d.spec.replicas >= 2)) find(where, "fewer than 2 replicas");
    if (!spec.securityContext?.runAsNonRoot) find(where, "pods may run as root (runAsNonRoot)");
    for (const c of spec.containers) {
      const at = `${where} container ${c.name}`;
      const ports = new Set((c.ports ?? []).map((p) => p.name));
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const get = c[probe]?.httpGet;
        if (!get) {
          if (probe !== "startupProbe") find(at, `no ${probe} (httpGet)`);
        } else if (typeof get.port === "string" && !ports.has(get.port)) {
          find(at, `${probe} names port ${get.port}, which the container does not have`);
        }
      }
      if (c.livenessProbe?.httpGet?.path !== "/healthz") find(at, "livenessProbe is not /healthz");
      for (const kind of ["requests", "limits"]) {
        for (const r of ["cpu", "memory"]) {
          if (!c.resources?.[kind]?.[r]) find(at, `no resources.${kind}.${r}`);
        }
      }
      if (!c.imagePullPolicy) find(at, "no imagePullPolicy (a :latest image would be pulled)");
      if (c.securityContext?.allowPrivilegeEscalation !== false) find(at, "allowPrivilegeEscalation is not false");
      if (!c.securityContext?.readOnlyRootFilesystem) find(at, "the root filesystem is writable");
      // The longest drain after SIGTERM is nginx's worker_shutdown_timeout, 10 s (the
      // services': 9 s); the preStop sleep comes before it.
      const preStop = seconds(c.lifecycle?.preStop?.exec?.command);
      if (!preStop) find(at, "no preStop sleep (requests would reach a pod that has stopped accepting)");
      if (!((spec.terminationGracePeriodSeconds ?? 30) >= preStop + 10)) {
        find(at, `terminationGracePeriodSeconds is shorter than preStop (${preStop} s) + the 10 s drain`);
      }
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !configMaps.has(from.configMapRef.name)) find(at, `no ConfigMap ${from.configMapRef.name}`);
        if (from.secretRef && !secrets.has(from.secretRef.name)) find(at, `no Secret ${from.secretRef.name}`);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
        if (!ref) continue;
        const keys = e.valueFrom.secretKeyRef ? secretKeys(ref.name)
          : Object.keys(configMaps.get(ref.name)?.data ?? {});
        if (!keys.includes(ref.key)) find(at, `env ${e.name}: no key ${ref.key} in ${ref.name}`);
      }
    }
    for (const v of spec.volumes ?? []) {
      if (!v.secret) continue;
      for (const item of v.secret.items ?? []) {
        if (!secretKeys(v.secret.secretName).includes(item.key)) find(where, `volume ${v.name}: no key ${item.key} in Secret ${v.secret.secretName}`);
      }
    }
    if (!of("Service").some((s) => selects({ matchLabels: s.spec.selector }, labels))) find(where, "no Service selects its pods");
    const budgets = of("PodDisruptionBudget").filter((p) => selects(p.spec.selector, labels));
    if (budgets.length === 0) find(where, "no PodDisruptionBudget covers it");
    for (const b of budgets) {
      if (!(b.spec.minAvailable < d.spec.replicas)) find(name(b), `minAvailable ${b.spec.minAvailable} leaves no pod of ${d.metadata.name} to evict`);
    }
  }
  for (const s of of("Service")) {
    if (!pods.some((labels) => selects({ matchLabels: s.spec.selector }, labels))) find(name(s), "selects no pod");
  }
  for (const p of of("NetworkPolicy")) {
    const peers = [...(p.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(p.spec.egress ?? []).flatMap((r) => r.to ?? [])];
    for (const selector of [p.spec.podSelector, ...peers.filter((x) => x.podSelector && !x.namespaceSelector).map((x) => x.podSelector)]) {
      if (!pods.some((labels) => selects(selector, labels))) find(name(p), `selector ${JSON.stringify(selector)} selects no pod`);
    }
  }
  for (const s of secrets.values()) {
    for (const [key, value] of Object.entries({ ...s.stringData })) {
      if (!String(value).includes("REPLACE")) find(name(s), `${key} is not a placeholder (no secret belongs in these files)`);
    }
    if (s.data && Object.keys(s.data).length) find(name(s), "data holds encoded values (placeholders go in stringData)");
  }
}

let total = 0;
for (const file of process.argv.slice(2)) {
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  const objects = [];
  for (const doc of documents) {
    if (doc.errors.length) {
      for (const e of doc.errors) find(file, e.message);
      continue;
    }
    const obj = doc.toJS();
    if (obj) objects.push(obj);
  }
  for (const obj of objects) await validateSchema(obj, `${file}: ${obj.kind}/${obj.metadata?.name}`);
  checkSystem(objects, file);
  total += objects.length;
  console.log(`k8s: ${file}: ${objects.length} objects checked`);
}
for (const f of findings) console.error(`k8s: ${f}`);
if (findings.length) {
  console.error(`k8s: ${findings.length} finding(s)`);
  process.exit(1);
}
console.log(`k8s: ${total} objects valid`);
