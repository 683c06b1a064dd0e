-- apiwrite.lua: wrk script for the API write path, used by bench/run.
--
-- Each thread alternates the two writes an agency's integration makes:
-- POST /api/v1/projects (a new project, a new client email each time),
-- then POST /api/v1/projects/:id/pack/send for a project it created,
-- which journals pack.sent. The ids of created projects wait in a
-- per-thread queue; a request sends one when there is one, else creates.
-- Every answer is acknowledged only once its write is durable.
--
-- Environment: FZ_BENCH_TOKEN (a write key), FZ_BENCH_RUN (unique per
-- run). Answers other than 201 (create) and 200 (send) are counted.

local token = os.getenv("FZ_BENCH_TOKEN") or ""
local run = os.getenv("FZ_BENCH_RUN") or tostring(os.time())
local threads = {}
local serial = 0

function setup(thread)
	serial = serial + 1
	thread:set("tid", serial)
	table.insert(threads, thread)
end

local n = 0
local ready = {}
local sent = 0
bad = 0
bad_status = ""
creates = 0
sends = 0

function init(args)
	if token == "" then
		error("set FZ_BENCH_TOKEN")
	end
end

local headers = nil

function request()
	if headers == nil then
		headers = {
			["Authorization"] = "Bearer " .. token,
			["Content-Type"] = "application/json",
		}
	end
	local id = table.remove(ready)
	if id ~= nil then
		return wrk.format("POST", "/api/v1/projects/" .. id ..
		    "/pack/send", headers, '{"personalMessage":"Here it is"}')
	end
	n = n + 1
	return wrk.format("POST", "/api/v1/projects", headers, string.format(
	    '{"name":"Relaunch %d","clientName":"Owner %d","clientEmail":' ..
	    '"owner-%s-%d-%d@client.example.com","projectType":"Web Design",' ..
	    '"launchDate":"2027-03-01"}', n, n, run, tid, n))
end

function response(status, headers, body)
	if status == 201 then
		local id = string.match(body, '"id":"(project_[A-Za-z0-9]+)"')
		if id ~= nil then
			table.insert(ready, id)
		end
		creates = creates + 1
	elseif status == 200 then
		sends = sends + 1
	else
		bad = bad + 1
		if bad_status == "" then
			bad_status = status .. " " .. string.sub(body, 1, 200)
		end
	end
end

function done(summary, latency, requests)
	local total, c, s = 0, 0, 0
	for _, t in ipairs(threads) do
		total = total + (t:get("bad") or 0)
		c = c + (t:get("creates") or 0)
		s = s + (t:get("sends") or 0)
		local b = t:get("bad_status")
		if b ~= nil and b ~= "" then
			io.write("first unexpected answer: " .. b .. "\n")
		end
	end
	io.write(string.format("api writes: %d creates, %d sends, %d other\n",
	    c, s, total))
end
