-- wrk script: POST a valid login again and again (success does not count against the limits).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("LOGIN_BODY")
