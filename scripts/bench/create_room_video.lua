-- wrk script: create_room with the seed's full video example body. Arguments after "--": a run tag (RoomIds are
-- "video-<tag>-<n>", so runs against one emulator never collide) and a variant:
--   ok (default)  a RoomId never used before: the full success path
--   badtype       IsPublicVisible is a string: 100002 (parameter validation)
--   same          one RoomId for every request: 100012 once it exists (with room_create_interval_ms on)
-- done() prints what --latency leaves out, in µs: p50, p99, p99.9 and max, and the request and error counts. With
-- LEE_BENCH_LATENCIES set, it also writes every latency wrk recorded to that file, one "µs count" line per value, so
-- that the rounds of a run can be pooled into one percentile.
local counter = 0
local prefix = "video-run-"
local public = "true"
local same = false

function init(args)
  prefix = "video-" .. (args[1] or "run") .. "-"
  local variant = args[2] or "ok"
  if variant == "badtype" then
    public = '"yes"'
  elseif variant == "same" then
    same = true
  elseif variant ~= "ok" then
    error("unknown variant " .. variant)
  end
end

function request()
  counter = counter + 1
  local room_id = same and "video-same" or (prefix .. counter)
  local body = '{"RoomInfo":{"RoomId":"' .. room_id .. '","RoomType":"Live","Owner_Account":"testA",' ..
               '"TakeSeatMode":"ApplyToTake","SeatTemplate":"VideoDynamicGrid9Seats","IsPublicVisible":' ..
               public .. ',"RoomName":"Happy new year","CoverURL":"cover url"}}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format("tail p50=%d p99=%d p99.9=%d max=%d requests=%d errors=%d\n", latency:percentile(50),
                         latency:percentile(99), latency:percentile(99.9), latency.max, summary.requests,
                         summary.errors.connect + summary.errors.read + summary.errors.write +
                         summary.errors.status + summary.errors.timeout))
  local path = os.getenv("LEE_BENCH_LATENCIES")
  if path then
    local file = assert(io.open(path, "w"))
    for i = 1, #latency do
      local value, count = latency(i)
      file:write(value, " ", count, "\n")
    end
    file:close()
  end
end
