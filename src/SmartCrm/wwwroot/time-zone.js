// Tells the server the browser's time zone (a cookie, once), so the console shows every time in it. A page written before
// the server knew the zone is loaded again, once, when it shows times; without cookies the console stays in UTC, labelled.
(() => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  const name = ".SmartCrm.TimeZone";
  const read = () => document.cookie.split("; ").filter((c) => c.startsWith(name + "=")).map((c) => decodeURIComponent(c.slice(name.length + 1)))[0];
  if (read() === zone) return;
  document.cookie = `${name}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
  if (read() !== zone || document.documentElement.dataset.zone === zone) return;
  if (document.querySelector("time[datetime], [data-ts]")) location.reload();
})();
