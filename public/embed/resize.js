// Tells the page framing /embed/verify how tall the content is, so the iframe can follow it
// without a scroll bar. Posted only to the origins allowed to frame this page: a browser
// delivers a message only when its target origin is the parent's, so no other page reads it.
// The parent must check that event.origin is this site's origin before using the height.
(() => {
  const origins = JSON.parse(document.documentElement.dataset.hostOrigins || '[]');
  if (window.parent === window || origins.length === 0) return;
  let last = 0;
  const post = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    for (const origin of origins) window.parent.postMessage({ type: 'zhenxin:height', height }, origin);
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
})();
