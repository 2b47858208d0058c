"""Sessions that end during the run: a fresh user logs out, and from then on its access token
must be refused (401) at identity, tasks and progress, whatever fails and restarts after."""

import collections
import http.client

import careful_client
from support import Account, request, strong_password, unique_email, wait_until

# An authenticated read at each service, answered straight by that service.
PROBES = {"identity": "/v1/users/me", "tasks": "/v1/tasks?limit=1", "progress": "/v1/progress"}
# The contract says 1 s; this leaves room for a busy machine before calling it a failure.
REVOKED_WITHIN = 5.0


class Revocations:
    """The revoked access tokens of the run, and every probe that accepted one."""

    def __init__(self, stack, op_deadline):
        self.stack = stack
        self.op_deadline = op_deadline
        self.tokens = []  # (label, access token)
        self.accepted = collections.defaultdict(list)  # label -> "when: service status"

    def log_out_one(self, label):
        """Registers a user, logs it out, and waits until its access token is refused everywhere;
        a token still accepted after REVOKED_WITHIN counts as one that works again."""
        account = self.register("Fault leaver")
        works = careful_client.send("GET", "/v1/users/me", token=account.access,
                                    base=self.stack.gateway, deadline=self.op_deadline)
        if works.status != 200:
            raise RuntimeError(f"a fresh token does not work: {works!r}")
        out = careful_client.send("POST", "/v1/auth/logout",
                                  {"refresh_token": account.refresh}, token=account.access,
                                  base=self.stack.gateway, deadline=self.op_deadline)
        # A retried logout whose first attempt got through finds its token revoked: 401.
        if not (out.status == 204 or (out.status == 401 and out.attempts > 1)):
            raise RuntimeError(f"logout failed: {out!r}")
        self.tokens.append((label, account.access))
        for service in PROBES:
            if not wait_until(lambda s=service: self.status_at(s, account.access) == 401,
                              timeout=REVOKED_WITHIN, interval=0.05):
                self.accepted[label].append(
                    f"{REVOKED_WITHIN:.0f} s after logout: {service} "
                    f"{self.status_at(service, account.access)}")

    def register(self, name):
        """Registers a user as a careful client; a retry whose first attempt got through finds
        the email taken (409), and then logs in instead."""
        return register_carefully(self.stack.gateway, name, self.op_deadline)

    def status_at(self, service, token):
        """The status of an authenticated read at the service itself (None: no answer)."""
        try:
            return request("GET", PROBES[service], token=token,
                           base=self.stack.services[service], timeout=5).status
        except (OSError, http.client.HTTPException):
            return None

    def probe(self, when, services):
        """Presents every revoked token to each of the services; any 2xx is a revived token
        (a service that does not answer, or answers 5xx, lets nobody in)."""
        for label, token in self.tokens:
            for service in services:
                status = self.status_at(service, token)
                if status is not None and 200 <= status < 300:
                    self.accepted[label].append(f"{when}: {service} {status}")

    def revived(self):
        return len(self.accepted)

    def examples(self):
        lines = []
        for label, seen in self.accepted.items():
            by_when = collections.defaultdict(list)
            for item in seen:
                when, _, where = item.partition(": ")
                by_when[when].append(where)
            lines.append(f"token revoked {label}: accepted " + "; ".join(
                f"{when} at {', '.join(where)}" for when, where in by_when.items()))
        return lines


def register_carefully(gateway, name, deadline):
    """A registered Account, through retries; raises RuntimeError when that fails."""
    email, password = unique_email("fault"), strong_password()
    body = {"email": email, "password": password, "name": name}
    made = careful_client.send("POST", "/v1/auth/register", body, base=gateway,
                               deadline=deadline)
    if made.status == 409 and made.attempts > 1:
        made = careful_client.send("POST", "/v1/auth/login",
                                   {"email": email, "password": password}, base=gateway,
                                   deadline=deadline)
    if made.status not in (200, 201):
        raise RuntimeError(f"registration of {email} failed: {made!r}")
    return Account(email, password, name, made.response)
