-- wrk script: get_room_info on one room that exists.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"RoomId":"bench-probe"}'
