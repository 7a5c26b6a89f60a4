/* Kept chat launcher: <script src="https://kept.example/widget.js" data-team="3" data-lang="en" async></script>
   Puts a button on the page; the chat itself runs in a frame served by Kept (its own origin, its own CSP). */
(function () {
  var me = document.currentScript;
  if (!me || window.__keptChat) return;
  window.__keptChat = true;
  var origin = new URL(me.src).origin;
  var lang = /^(en|de|fr)$/.test(me.dataset.lang || '') ? me.dataset.lang : 'en';
  var label = { en: 'Chat with us', de: 'Chatten Sie mit uns', fr: 'Discutez avec nous' }[lang];
  var close = { en: 'Close chat', de: 'Chat schließen', fr: 'Fermer la discussion' }[lang];
  var src = origin + '/chat/frame?lang=' + lang + (me.dataset.team ? '&team=' + encodeURIComponent(me.dataset.team) : '');
  var host = document.createElement('div');
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  root.innerHTML = '<style>' +
    'button{position:fixed;right:16px;bottom:16px;z-index:2147483647;font:600 16px/1 system-ui,sans-serif;background:#0b5cad;color:#fff;border:0;border-radius:24px;padding:14px 20px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}' +
    'button:focus-visible{outline:3px solid #f0b400;outline-offset:2px}' +
    'iframe{position:fixed;right:16px;bottom:76px;z-index:2147483647;width:380px;height:min(600px,calc(100vh - 96px));border:1px solid #8c959f;border-radius:12px;background:#fff;box-shadow:0 4px 16px rgba(0,0,0,.25)}' +
    '@media (max-width:480px){iframe{right:0;left:0;bottom:72px;width:100%;height:calc(100vh - 72px);border-radius:0}}' +
    '[hidden]{display:none}</style>' +
    '<iframe hidden title="' + label + '"></iframe><button type="button" aria-expanded="false"></button>';
  var frame = root.querySelector('iframe');
  var button = root.querySelector('button');
  button.textContent = label;
  function toggle(open) {
    if (open && !frame.src) frame.src = src;
    frame.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.textContent = open ? close : label;
    if (open) frame.focus();
  }
  button.addEventListener('click', function () { toggle(frame.hidden); });
  // A visitor who already chats (another tab, a reload) sees their conversation at once.
  try { if (sessionStorage.getItem('kept-chat-open') === '1') toggle(true); } catch { /* storage blocked */ }
  button.addEventListener('click', function () { try { sessionStorage.setItem('kept-chat-open', frame.hidden ? '0' : '1'); } catch { /* ignore */ } });
  document.body.appendChild(host);
})();
