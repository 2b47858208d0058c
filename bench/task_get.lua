-- wrk script: an authenticated GET of the URL given to wrk (a task by id, or a list page).
-- BENCH_TOKEN is the access token (bench/tasks sets it).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
