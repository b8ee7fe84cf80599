-- wrk script: every request is a new sales order for one of N seeded customers.
-- Prints a JSON summary (throughput and latency percentiles) at the end.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  customers = tonumber(os.getenv("BENCH_CUSTOMERS") or "1000")
  key = os.getenv("BENCH_KEY") or ""
  prefix = os.getenv("BENCH_PREFIX") or "B"
  math.randomseed(tid * 7919)
end

function request()
  counter = counter + 1
  local cid = string.format("BC%04d", math.random(1, customers))
  local amount = string.format("%d.%02d", math.random(10, 900), math.random(0, 99))
  local body = string.format(
    '{"erp":"sap","order_id":"%s%d-%d","revision":1,"customer_id":"%s","amount":"%s","currency":"EUR","override_token":null}',
    prefix, tid, counter, cid, amount)
  return wrk.format("POST", "/v1/orders/check",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"rps":%.1f,"non2xx":%d,"socket_errors":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
