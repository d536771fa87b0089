// Live values on a device page: every committed reading arrives over server-sent events and updates its row.
(() => {
  const table = document.querySelector("table[data-live]");
  if (!table) return;
  const status = document.querySelector("[data-live-status]");
  // The zone and the format the server writes times in (Web/ConsoleTime.cs): "2025-03-04 14:05:09".
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: document.documentElement.dataset.zone || "UTC", hourCycle: "h23",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  const format = (ts) => {
    const p = Object.fromEntries(parts.formatToParts(new Date(ts)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
  const source = new EventSource(table.dataset.live);
  source.onopen = () => status && status.classList.add("on");
  source.onerror = () => status && status.classList.remove("on");
  source.onmessage = (event) => {
    const point = JSON.parse(event.data);
    let row = table.querySelector(`tr[data-key="${CSS.escape(point.key)}"]`);
    if (!row) {
      row = document.createElement("tr");
      row.dataset.key = point.key;
      const th = document.createElement("th");
      th.textContent = point.key;
      row.append(th, document.createElement("td"), document.createElement("td"), document.createElement("td"));
      row.children[1].dataset.value = "";
      row.children[2].className = "muted";
      table.tBodies[0].append(row);
      document.querySelector("[data-no-values]")?.remove();
    }
    const value = row.querySelector("[data-value]");
    value.textContent = typeof point.value === "object" ? JSON.stringify(point.value) : String(point.value);
    value.classList.remove("flash");
    void value.offsetWidth;
    value.classList.add("flash");
    row.children[2].dataset.ts = point.ts;
    row.children[2].textContent = format(point.ts);
  };
})();
