-- wrk script: create_room with the seed's full video example body and a RoomId never used before (run tag from
-- the command line after "--", so runs against one emulator never collide); done() prints what --latency leaves
-- out: p99.9 and max (µs), and the request count.
local counter = 0
local prefix = "video"

function init(args)
  prefix = "video-" .. (args[1] or "run") .. "-"
end

function request()
  counter = counter + 1
  local body = '{"RoomInfo":{"RoomId":"' .. prefix .. counter .. '","RoomType":"Live","Owner_Account":"testA",' ..
               '"TakeSeatMode":"ApplyToTake","SeatTemplate":"VideoDynamicGrid9Seats","IsPublicVisible":true,' ..
               '"RoomName":"Happy new year","CoverURL":"cover url"}}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format("tail p99.9=%d max=%d requests=%d errors=%d\n", latency:percentile(99.9), latency.max,
                         summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write +
                         summary.errors.status + summary.errors.timeout))
end
