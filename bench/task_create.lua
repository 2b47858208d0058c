-- wrk script: POST /v1/tasks with a fixed body; every request creates a task (bench/tasks
-- deletes them afterwards). BENCH_TOKEN is the access token (bench/tasks sets it).
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"bench task","description":"created by the benchmark","priority":"high",' ..
           '"labels":["bench","load"]}'
