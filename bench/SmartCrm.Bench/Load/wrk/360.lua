math.randomseed(42)
request = function()
  return wrk.format("GET", "/api/v1/customers/" .. math.random(1, tonumber(os.getenv("CUSTOMERS") or "100000")) .. "/360")
end
