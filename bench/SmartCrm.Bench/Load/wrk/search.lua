math.randomseed(42)
local words = {"smi","john","ann","mar","lee","wil","bro","dav","gar","mil","tay","tho","jac","whi","har","mar","cla","lew","rob","wal"}
request = function()
  return wrk.format("GET", "/api/v1/customers?q=" .. words[math.random(1,#words)] .. "&pageSize=20")
end
