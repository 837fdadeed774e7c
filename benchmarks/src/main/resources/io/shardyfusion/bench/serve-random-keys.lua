-- wrk script of bin/shardy-bench serve: GET <prefix><random key in 0..rows-1>, then one JSON
-- line with the figures. Usage: wrk ... -s serve-random-keys.lua URL -- ROWS PREFIX
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  rows = tonumber(args[1])
  prefix = args[2]
  math.randomseed(7919 * (tid + 1))
end

function request()
  return wrk.format("GET", prefix .. math.random(0, rows - 1))
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors_connect":%d,"errors_read":%d,'
      .. '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,'
      .. '"p50_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
