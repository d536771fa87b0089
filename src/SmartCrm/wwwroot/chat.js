// Live chat (the customers' /chat and the agents' /service/chat): the server says over server-sent events when the chat
// changed; the page then fetches itself and swaps in the parts marked data-live-part, leaving the forms (and what is being
// typed) alone. Without JavaScript the pages still work: every form posts and the page reloads.
(() => {
  const root = document.querySelector("[data-live-chat]");
  if (!root) return;
  let stamp = root.dataset.stamp;
  let busy = false;
  let again = false;
  const bottom = () => {
    for (const log of document.querySelectorAll("[data-chat-log]")) log.scrollTop = log.scrollHeight;
  };
  const refresh = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const part of document.querySelectorAll("[data-live-part]")) {
        const fresh = next.querySelector(`[data-live-part="${CSS.escape(part.dataset.livePart)}"]`);
        if (fresh) part.replaceWith(document.importNode(fresh, true));
      }
      bottom();
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  };
  bottom();
  const source = new EventSource(root.dataset.liveChat);
  source.onmessage = (event) => {
    if (event.data === stamp) return;
    stamp = event.data;
    refresh();
  };
})();
