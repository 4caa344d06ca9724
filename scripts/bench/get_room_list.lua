-- wrk script: get_room_list pages of Count 20. Every other request follows the Next cursor of the latest answer
-- (up to 50 pages deep, then page 1 again), the others ask for page 1. Answers without "ErrorCode":0 are counted
-- as errors. done() prints, in µs, p50, p99, p99.9 and max, and the request and error counts.
local next_cursor = ""
local depth = 0
local counter = 0
bad = 0

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local cursor = ""
  if counter % 2 == 0 and next_cursor ~= "" and depth < 50 then
    cursor = next_cursor
    depth = depth + 1
  else
    depth = 0
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
                    '{"Next":"' .. cursor .. '","Count":20}')
end

function response(status, headers, body)
  if status ~= 200 or not body:find('"ErrorCode":0,', 1, true) then
    bad = bad + 1
    return
  end
  next_cursor = body:match('"Next":"([^"]*)"') or ""
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("bad")
  end
  io.write(string.format("tail p50=%d p99=%d p99.9=%d max=%d requests=%d errors=%d\n", latency:percentile(50),
                         latency:percentile(99), latency:percentile(99.9), latency.max, summary.requests,
                         summary.errors.connect + summary.errors.read + summary.errors.write +
                         summary.errors.status + summary.errors.timeout + wrong))
end
