/* The chat inside Kept's frame: talks to /api/v1/chat over HTTP (writes, acknowledged once stored)
   and a WebSocket (news: messages, place in the queue, typing), reconnecting and resyncing
   "everything after the last sequence number" it holds. Plain JavaScript, no framework. */
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var lang = /^(en|de|fr)$/.test(params.get('lang') || '') ? params.get('lang') : 'en';
  var team = /^\d{1,9}$/.test(params.get('team') || '') ? Number(params.get('team')) : null;
  var T = {
    en: { you: 'You', person: 'Talk to a person', placeholder: 'Type your message', send: 'Send', hello: 'Hello! Write your question, or talk to a person at any time.',
      position: 'You are number {n} in the queue.', wait: 'Estimated wait: {w}.', lessMinute: 'less than a minute', minutes: 'about {m} minutes', minute: 'about 1 minute',
      withAgent: 'You are chatting with {name}.', expected: 'A person will reply by {when}.', ended: 'This chat has ended.', typing: '{name} is typing…', agent: 'Support',
      email: 'Your email, to continue by email', emailSend: 'Save email', tooLong: 'Your message is too long (at most 2,000 characters).', tooFast: 'You are sending messages too fast. Please wait {s} seconds.',
      offline: 'Connection lost. Reconnecting…', failed: 'Sorry, that did not work. Please try again.', end: 'End chat', newChat: 'Start a new chat', saved: 'Email saved.' },
    de: { you: 'Sie', person: 'Mit einem Menschen sprechen', placeholder: 'Ihre Nachricht', send: 'Senden', hello: 'Guten Tag! Schreiben Sie Ihre Frage, oder sprechen Sie jederzeit mit einem Menschen.',
      position: 'Sie sind Nummer {n} in der Warteschlange.', wait: 'Geschätzte Wartezeit: {w}.', lessMinute: 'unter einer Minute', minutes: 'etwa {m} Minuten', minute: 'etwa 1 Minute',
      withAgent: 'Sie chatten mit {name}.', expected: 'Ein Mensch antwortet bis {when}.', ended: 'Dieser Chat ist beendet.', typing: '{name} schreibt…', agent: 'Support',
      email: 'Ihre E-Mail, um per E-Mail weiterzumachen', emailSend: 'E-Mail speichern', tooLong: 'Ihre Nachricht ist zu lang (höchstens 2.000 Zeichen).', tooFast: 'Sie senden zu schnell. Bitte warten Sie {s} Sekunden.',
      offline: 'Verbindung unterbrochen. Neuer Versuch…', failed: 'Das hat leider nicht geklappt. Bitte versuchen Sie es noch einmal.', end: 'Chat beenden', newChat: 'Neuen Chat beginnen', saved: 'E-Mail gespeichert.' },
    fr: { you: 'Vous', person: 'Parler à une personne', placeholder: 'Votre message', send: 'Envoyer', hello: 'Bonjour ! Écrivez votre question, ou parlez à une personne à tout moment.',
      position: 'Vous êtes numéro {n} dans la file d’attente.', wait: 'Attente estimée : {w}.', lessMinute: 'moins d’une minute', minutes: 'environ {m} minutes', minute: 'environ 1 minute',
      withAgent: 'Vous discutez avec {name}.', expected: 'Une personne vous répondra d’ici {when}.', ended: 'Cette conversation est terminée.', typing: '{name} écrit…', agent: 'Support',
      email: 'Votre e-mail, pour continuer par e-mail', emailSend: 'Enregistrer l’e-mail', tooLong: 'Votre message est trop long (2 000 caractères au plus).', tooFast: 'Vous envoyez trop vite. Merci d’attendre {s} secondes.',
      offline: 'Connexion perdue. Reconnexion…', failed: 'Désolé, cela n’a pas fonctionné. Merci de réessayer.', end: 'Terminer', newChat: 'Nouvelle conversation', saved: 'E-mail enregistré.' },
  }[lang];
  var fill = function (s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k]; }); };
  var $ = function (id) { return document.getElementById(id); };
  var KEY = 'kept-chat:' + (team || 'any');
  var state = load();
  var seen = {};
  var socket = null;
  var retry = 0;
  var agentName = T.agent;
  var lastTyping = 0;
  var typingTimer = null;

  function load() { try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch { return null; } }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(state)); } catch { /* private mode: this tab only */ } }

  function api(path, body) {
    return fetch('/api/v1/chat/conversations' + path, {
      method: body === undefined && path ? 'GET' : 'POST',
      headers: Object.assign({ 'content-type': 'application/json' }, state ? { 'x-kept-visitor': state.token } : {}),
      body: body === undefined ? (path ? undefined : '{}') : JSON.stringify(body),
      keepalive: path.slice(-6) === '/leave',
    }).then(function (r) {
      return r.status === 204 ? {} : r.json().then(function (j) { if (!r.ok) { j.httpStatus = r.status; throw j; } return j; });
    });
  }

  function ensureConversation() {
    if (state) return Promise.resolve(state);
    return api('', { teamId: team, language: lang }).then(function (r) {
      state = { id: r.conversationId, token: r.visitorToken, after: 0 };
      save();
      connect();
      return state;
    });
  }

  function problem(text) { $('problem').textContent = text || ''; }

  function render(m) {
    if (seen[m.seq]) return;
    seen[m.seq] = true;
    var li = document.createElement('li');
    li.className = m.author;
    if (m.author !== 'system') {
      var who = document.createElement('span');
      who.className = 'who';
      who.textContent = m.author === 'visitor' ? T.you : agentName;
      li.appendChild(who);
    }
    var text = document.createElement('span');
    text.textContent = m.body;
    li.appendChild(text);
    var log = $('log');
    var before = log.lastElementChild;
    while (before && Number(before.dataset.seq) > m.seq) before = before.previousElementSibling;
    li.dataset.seq = m.seq;
    log.insertBefore(li, before ? before.nextSibling : log.firstChild);
    $('log-wrap').scrollTop = $('log-wrap').scrollHeight;
    if (state && m.seq > (state.after || 0)) { state.after = m.seq; save(); }
  }

  function waitText(s) {
    if (s < 60) return T.lessMinute;
    var m = Math.ceil(s / 60);
    return m === 1 ? T.minute : fill(T.minutes, { m: m });
  }

  function show(view) {
    if (view.agentName) agentName = view.agentName;
    view.messages.forEach(render);
    var status = '';
    if (view.status === 'queued') status = fill(T.position, { n: view.position }) + (view.estimatedWaitSeconds !== null ? ' ' + fill(T.wait, { w: waitText(view.estimatedWaitSeconds) }) : '');
    else if (view.status === 'active') status = fill(T.withAgent, { name: view.agentName });
    else if (view.status === 'waiting_as_case' && view.expectedAt) status = fill(T.expected, { when: new Date(view.expectedAt).toLocaleString(lang, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }) });
    else if (view.status === 'ended' || view.status === 'abandoned') status = T.ended;
    if ($('status').textContent !== status) $('status').textContent = status;
    var over = view.status === 'ended' || view.status === 'abandoned';
    $('person').hidden = view.status === 'active' || over;
    $('person').disabled = view.status === 'queued' || view.status === 'waiting_as_case';
    $('end').hidden = over;
    $('restart').hidden = !over;
    $('composer').hidden = over;
    if (view.email) $('email-form').hidden = true;
  }

  function connect() {
    if (!state || socket) return;
    socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/api/v1/chat/socket');
    socket.onopen = function () {
      retry = 0;
      problem('');
      socket.send(JSON.stringify({ type: 'hello', conversationId: state.id, token: state.token, after: state.after || 0 }));
    };
    socket.onmessage = function (e) {
      var data = JSON.parse(e.data);
      if (data.type === 'view') { $('typing').textContent = ''; show(data.view); }
      if (data.type === 'typing') {
        $('typing').textContent = fill(T.typing, { name: agentName });
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { $('typing').textContent = ''; }, 4000);
      }
    };
    socket.onclose = function (e) {
      socket = null;
      if (e.code === 4404) { forget(); return; } // not ours (or gone): start afresh, never retry a bad token
      problem(T.offline);
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }

  function forget() {
    state = null;
    seen = {};
    try { localStorage.removeItem(KEY); } catch { /* ignore */ }
    $('log').textContent = '';
    greet();
    show({ status: 'open', messages: [] });
  }

  function greet() { render({ seq: 0, author: 'system', body: T.hello }); seen[0] = true; }

  function failed(err) {
    if (err && err.httpStatus === 429) return problem(fill(T.tooFast, { s: Math.max(1, Math.ceil(Number((err.detail || '').match(/(\d+) s/) ? RegExp.$1 : 60))) }));
    if (err && err.httpStatus === 400) return problem(T.tooLong);
    if (err && err.httpStatus === 404) { forget(); return; }
    problem(T.failed);
  }

  function wire() {
    document.documentElement.lang = lang;
    $('person').textContent = T.person;
    $('send').textContent = T.send;
    $('message-label').textContent = T.placeholder;
    $('message').placeholder = T.placeholder;
    $('email-label').textContent = T.email;
    $('email-send').textContent = T.emailSend;
    $('email').placeholder = T.email;
    $('end').textContent = T.end;
    $('restart').textContent = T.newChat;
    greet();
    $('composer').addEventListener('submit', function (e) {
      e.preventDefault();
      var body = $('message').value.trim();
      if (!body) return;
      if (body.length > 2000) return problem(T.tooLong);
      ensureConversation().then(function () { return api('/' + state.id + '/messages', { body: body }); }).then(function (m) {
        problem('');
        $('message').value = '';
        render(m);
      }, failed);
    });
    $('message').addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('composer').requestSubmit(); }
    });
    $('message').addEventListener('input', function () {
      var now = Date.now();
      if (socket && socket.readyState === 1 && now - lastTyping > 3000) { lastTyping = now; socket.send('{"type":"typing"}'); }
    });
    $('person').addEventListener('click', function () {
      ensureConversation().then(function () { return api('/' + state.id + '/person', {}); }).then(show, failed);
    });
    $('email-form').addEventListener('submit', function (e) {
      e.preventDefault();
      ensureConversation().then(function () { return api('/' + state.id + '/email', { email: $('email').value.trim() }); }).then(function (v) { show(v); problem(T.saved); }, failed);
    });
    $('end').addEventListener('click', function () { if (state) api('/' + state.id + '/end', {}).then(show, failed); });
    $('restart').addEventListener('click', forget);
    window.addEventListener('pagehide', function () { if (state) api('/' + state.id + '/leave', {}).catch(function () {}); });
    // Another tab of this visitor started the conversation: join it.
    window.addEventListener('storage', function (e) { if (e.key === KEY && !state && e.newValue) { state = load(); connect(); } });
    if (state) connect();
  }
  wire();
})();
