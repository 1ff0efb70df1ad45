// Live preview for the reminder-template editor: while staff type (or pick another loan), the
// page asks the server for exactly what its Preview button renders and swaps the preview in
// place; the status line is updated only when it changes, so a screen reader hears it once.
// Without scripts the Preview button does the same with a page load. Nothing here is inline,
// so the site's CSP (no 'unsafe-inline' scripts) holds.
(() => {
  const form = document.querySelector('form[data-live-preview]');
  const body = document.getElementById('body');
  const loan = document.getElementById('loan');
  const target = document.getElementById('preview-body');
  const status = document.getElementById('preview-status');
  if (!form || !body || !target || !status || !window.fetch || !window.DOMParser) return;
  // Not form.action: the buttons are named "action", which shadows the property.
  const url = form.getAttribute('action') || location.pathname;
  let timer = 0;
  let latest = 0;
  let pending = null;

  const refresh = async () => {
    const id = ++latest;
    pending?.abort();
    pending = new AbortController();
    const data = new URLSearchParams({ action: 'preview', body: body.value });
    if (loan) data.set('loan', loan.value);
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
        signal: pending.signal,
      });
      // 400 is a body the server would not preview (too long): it still answers with the page.
      if (!response.ok && response.status !== 400) return;
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      if (id !== latest) return;
      const fresh = page.getElementById('preview-body');
      const freshStatus = page.getElementById('preview-status');
      if (!fresh || !freshStatus) return;
      target.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
      if (status.textContent !== freshStatus.textContent) status.textContent = freshStatus.textContent;
      form.dataset.previewed = String(id);
    } catch {
      // Offline or superseded: the Preview button still works.
    }
  };

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  };
  body.addEventListener('input', later);
  loan?.addEventListener('change', later);
})();
