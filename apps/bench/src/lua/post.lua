-- POST /echo with a valid JSON body (the harness checks beforehand that it is answered 200).
wrk.method = "POST"
wrk.body = '{"name":"Ada Lovelace","age":36}'
wrk.headers["Content-Type"] = "application/json"
