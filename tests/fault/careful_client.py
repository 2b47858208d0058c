"""A careful client: sends one request again and again, unchanged (the same body, the same
Idempotency-Key), while the answer says "try again" (no answer, a timeout, 5xx, 429), with capped
exponential backoff and a deadline, as a client that must not lose or double a write does."""

import http.client
import random
import time

from support import request

ATTEMPT_TIMEOUT = 5.0
FIRST_BACKOFF = 0.05
MAX_BACKOFF = 1.0
MAX_RETRY_AFTER = 2.0
TRY_AGAIN = frozenset({429, 500, 502, 503, 504})


class Outcome:
    """How a careful request ended: the final answer (None when the deadline passed first), the
    number of attempts and the last thing that made it try again."""

    def __init__(self, response, attempts, last_retry):
        self.response = response
        self.attempts = attempts
        self.last_retry = last_retry

    @property
    def status(self):
        return self.response.status if self.response is not None else None

    def __repr__(self):
        if self.response is not None:
            return f"<{self.attempts} attempts: {self.response!r}>"
        return f"<gave up after {self.attempts} attempts, last: {self.last_retry!r}>"


def send(method, path, body=None, token=None, base=None, headers=None, deadline=30.0,
         also_retry=(), rng=random):
    """Sends the request until its answer is not a "try again" one (TRY_AGAIN plus also_retry) or
    `deadline` seconds have passed; returns an Outcome."""
    retry_on = TRY_AGAIN | frozenset(also_retry)
    give_up_at = time.monotonic() + deadline
    backoff = FIRST_BACKOFF
    attempts = 0
    last = None
    kwargs = {} if body is None else {"body": body}
    while True:
        attempts += 1
        wait = backoff
        try:
            resp = request(method, path, token=token, base=base, headers=headers,
                           timeout=ATTEMPT_TIMEOUT, **kwargs)
            if resp.status not in retry_on:
                return Outcome(resp, attempts, last)
            last = resp
            retry_after = resp.headers.get("retry-after", "")
            if resp.status == 429 and retry_after.isdigit():
                wait = min(float(retry_after), MAX_RETRY_AFTER)
        except (OSError, http.client.HTTPException) as e:
            last = e
        # Jitter spreads the retries of many clients that failed at the same moment.
        wait *= 0.5 + rng.random()
        if time.monotonic() + wait >= give_up_at:
            return Outcome(None, attempts, last)
        time.sleep(wait)
        backoff = min(backoff * 2, MAX_BACKOFF)
