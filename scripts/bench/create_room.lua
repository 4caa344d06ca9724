-- wrk script: create_room with a RoomId never used before, so every request goes down the full success path.
local counter = 0
local prefix = "room"
local threads_started = 0

function setup(thread)
  threads_started = threads_started + 1
  thread:set("thread_id", threads_started)
end

function init(args)
  prefix = "bench-" .. tostring(thread_id) .. "-"
end

function request()
  counter = counter + 1
  local body = '{"RoomInfo":{"RoomId":"' .. prefix .. counter ..
               '","RoomType":"Live","SeatTemplate":"AudioSalon","MaxSeatCount":8,"RoomName":"Benchmark room",' ..
               '"CoverURL":"https://example.invalid/cover.png","Category":[1,"music"]}}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
