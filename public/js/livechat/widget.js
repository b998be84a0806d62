// The Livechat widget inside its iframe. The server renders every piece (the forms, the messages, the queue
// line); this script only sends forms with the visitor's token in a header, and places pushed messages in
// order by their sequence, catching up from the last one it holds after a gap or a reconnect. The token lives
// in this frame's own storage (a cross-site iframe gets no cookies); where the browser refuses a cross-site frame
// storage too, the loader keeps it in the website's storage and hands it over when the frame says it is ready.
(() => {
  const root = document.getElementById('lc');
  const body = document.getElementById('lc-body');
  const announce = document.getElementById('lc-announce');
  const key = root.dataset.key;
  const api = `/livechat/${key}/api`;
  const slot = `gwar-livechat:${key}`;
  const embedded = window.parent !== window;
  let token = null;
  let socket = null;
  let open = !embedded;
  let unread = 0;
  let chat = null;
  let seq = 0;

  try {
    token = localStorage.getItem(slot);
  } catch {
    token = null;
  }
  let parentOrigin = null;
  // The website's word for who the visitor is (the snippet's data-email and data-hmac), sent with a new chat.
  let identity = null;
  function keep(value) {
    token = value;
    try {
      if (value) localStorage.setItem(slot, value);
      else localStorage.removeItem(slot);
    } catch {
      // storage refused (a cross-site frame): the loader keeps it for us
    }
    if (parentOrigin) parent.postMessage({ gwarLivechat: { token: value || '' } }, parentOrigin);
  }

  function tell(message) {
    if (embedded) parent.postMessage({ gwarLivechat: message }, '*');
  }

  // The page of the website the visitor is on, as the loader tells it: the consultant sees it beside the chat.
  let page = null;
  function reportPage() {
    if (page && token) call('POST', 'page', new URLSearchParams(page)).catch(() => undefined);
  }

  async function call(method, path, data) {
    const headers = { Accept: 'text/html' };
    if (token) headers['X-Livechat-Token'] = token;
    if (data) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return fetch(path.startsWith('/') ? path : `${api}/${path}`, { method, headers, body: data, credentials: 'omit' });
  }

  async function ensureToken() {
    if (token) return;
    const res = await fetch(`${api}/visitor`, { method: 'POST', credentials: 'omit' });
    if (!res.ok) throw res;
    keep((await res.json()).token);
  }

  const lang = document.documentElement.lang === 'pl' ? 'pl-PL' : 'en-GB';
  const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
  function localize(el) {
    for (const t of el.querySelectorAll('time[datetime]')) t.textContent = time.format(new Date(t.dateTime));
  }

  async function show(res) {
    body.innerHTML = await res.text();
    localize(body);
    const log = document.getElementById('lc-log');
    chat = log ? log.dataset.chat : null;
    tell({ chatting: !!log });
    if (log) reportPage();
    seq = log ? Number(log.dataset.seq) || 0 : 0;
    if (log) {
      settle(log);
      connect();
    }
    thumbnails(body);
    challenge();
    const first = body.querySelector('[aria-invalid="true"]') || (open && body.querySelector('textarea, input:not([type=hidden])'));
    if (first && open) first.focus();
  }

  /** A file's link and picture need the visitor's token: fetched with it, kept as a local object URL. */
  async function fetchFile(path) {
    const res = await call('GET', path);
    if (!res.ok) throw res;
    return URL.createObjectURL(await res.blob());
  }

  function thumbnails(el) {
    for (const img of el.querySelectorAll('img[data-lc-thumb]:not([src])')) {
      fetchFile(`files/${img.dataset.lcThumb}/thumbnail`).then(
        (url) => (img.src = url),
        () => undefined,
      );
    }
  }

  async function save(path, name) {
    const url = await fetchFile(path);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  /** An address over the threshold of new chats must solve a proof of work: ALTCHA is loaded only then. */
  let altcha = null;
  function challenge() {
    const holder = body.querySelector('[data-lc-altcha]');
    if (!holder) return;
    const base = root.dataset.assets;
    altcha ??= new Promise((resolve, reject) => {
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = `${base}/altcha.css`;
      document.head.appendChild(css);
      const script = document.createElement('script');
      script.type = 'module';
      script.src = `${base}/altcha.js`;
      script.onload = () => {
        globalThis.$altcha.algorithms.set('SHA-256', () => new Worker(`${base}/altcha-sha.js`));
        if (document.documentElement.lang !== 'pl') return resolve();
        const pl = document.createElement('script');
        pl.src = `${base}/altcha-pl.js`;
        pl.onload = pl.onerror = () => resolve();
        document.head.appendChild(pl);
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    altcha.then(() => {
      const widget = document.createElement('altcha-widget');
      widget.setAttribute('name', 'altcha');
      widget.setAttribute('challenge', holder.dataset.lcAltcha);
      widget.setAttribute('language', document.documentElement.lang);
      widget.setAttribute('auto', 'onload');
      widget.setAttribute('hidefooter', '');
      // The solution, however this version of the widget hands it over (its form field, or its events).
      // Once solved, the chat is sent by itself (once: a refusal brings a new check and the visitor's button).
      const keep = (event) => {
        if (event.detail && typeof event.detail.payload === 'string') holder.dataset.payload = event.detail.payload;
        const form = holder.closest('form');
        if (!holder.dataset.payload || holder.dataset.sent || !form) return;
        holder.dataset.sent = '1';
        form.requestSubmit();
      };
      widget.addEventListener('verified', keep);
      widget.addEventListener('statechange', keep);
      holder.replaceChildren(widget);
    });
  }

  function settle(log) {
    let top = 0;
    for (const li of log.children) top = Math.max(top, Number(li.dataset.seq) || 0);
    seq = Math.max(seq, top);
    log.scrollTop = log.scrollHeight;
  }

  /** Puts a message in its place by sequence (once); a gap before it means something was missed. */
  function place(html) {
    const log = document.getElementById('lc-log');
    if (!log) return null;
    const holder = document.createElement('template');
    holder.innerHTML = html.trim();
    const li = holder.content.firstElementChild;
    if (!li || !li.dataset.seq) return null;
    const at = Number(li.dataset.seq);
    if (log.querySelector(`[data-seq="${at}"]`)) return null;
    localize(li);
    thumbnails(li);
    const after = [...log.children].find((other) => Number(other.dataset.seq) > at);
    log.insertBefore(li, after ?? null);
    const before = seq;
    if (at > seq) seq = at;
    log.scrollTop = log.scrollHeight;
    if (at > before + 1) catchUp();
    return li;
  }

  /** Fetches what came after the last message held without a gap (and where the chat stands). */
  async function catchUp() {
    if (!chat) return;
    const known = new Set([...document.querySelectorAll('#lc-log [data-seq]')].map((li) => Number(li.dataset.seq)));
    let from = 0;
    while (known.has(from + 1)) from++;
    const res = await call('GET', `chats/${chat}/messages?after=${from}`);
    if (!res.ok) return;
    const holder = document.createElement('template');
    holder.innerHTML = await res.text();
    for (const li of holder.content.querySelectorAll('li[data-seq]')) place(li.outerHTML);
    const status = holder.content.getElementById('lc-status');
    if (status) setStatus(status);
  }

  /** The line under the log; once the chat has ended, the box to write in goes and the rating comes. */
  function setStatus(status) {
    document.getElementById('lc-status')?.replaceWith(status);
    const ended = status.hasAttribute('data-closed');
    if (ended) tell({ chatting: false });
    const composer = body.querySelector('[data-lc-send]');
    if (composer) composer.hidden = ended;
    if (ended && !status.contains(document.activeElement)) status.querySelector('input')?.focus();
  }

  function connect() {
    if (socket || typeof io !== 'function' || !token) return;
    socket = io('/livechat', { auth: { key, token, locale: document.documentElement.lang }, transports: ['websocket', 'polling'] });
    // Every connect (the first too: the chat was drawn before the socket joined) catches up from the last
    // message held, and so does a check every 15 s: a push that never came is made good.
    socket.on('connect', () => catchUp());
    setInterval(() => document.hidden || catchUp(), 15000);
    socket.on('message', (event) => {
      if (!event || event.chat !== chat) return;
      const li = place(String(event.html));
      if (!li || !li.classList.contains('from-consultant')) return;
      const who = li.querySelector('.lc-author')?.textContent ?? '';
      const text = li.querySelector('.lc-body')?.textContent ?? '';
      announce.textContent = root.dataset.newMessage.replace('{name}', who).replace('{text}', text);
      if (!open || document.hidden) {
        unread++;
        tell({ unread });
        ping();
      }
    });
    socket.on('status', (event) => {
      if (!event || event.chat !== chat) return;
      const holder = document.createElement('template');
      holder.innerHTML = String(event.html).trim();
      const status = holder.content.firstElementChild;
      if (status) setStatus(status);
    });
  }

  let audio = null;
  function ping() {
    try {
      audio ??= new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      gain.gain.value = 0.1;
      tone.frequency.value = 880;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.15);
    } catch {
      // no sound here
    }
  }

  async function submitForm(form) {
    const data = new URLSearchParams(new FormData(form));
    const pow = form.querySelector('[data-lc-altcha]');
    if (pow && !data.get('altcha') && pow.dataset.payload) data.set('altcha', pow.dataset.payload);
    if (identity && form.matches('.lc-start')) {
      data.set('identityEmail', identity.email);
      data.set('identityHmac', String(identity.hmac || ''));
    }
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    try {
      if (form.matches('.lc-start')) await ensureToken();
      let res = await call('POST', form.getAttribute('action'), data);
      if (res.status === 401) {
        keep(null);
        await ensureToken();
        res = await call('POST', form.getAttribute('action'), data);
      }
      await show(res);
    } catch {
      if (button) button.disabled = false;
      const error = form.querySelector('.lc-error');
      if (error) error.textContent = root.dataset.notSent;
    }
  }

  async function send(form) {
    const box = form.querySelector('textarea');
    const error = form.querySelector('.lc-error');
    const text = box.value.trim();
    if (!text) return;
    const data = new URLSearchParams({ clientId: crypto.randomUUID(), body: text });
    box.value = '';
    error.textContent = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const res = await call('POST', form.getAttribute('action'), data);
        if (res.ok) return void place(await res.text());
        if (res.status < 500) {
          error.textContent = await res.text();
          box.value ||= text;
          return;
        }
      } catch {
        // retried with the same client id: stored once
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
    }
    box.value ||= text;
    error.textContent = root.dataset.notSent;
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (form.matches('[data-lc-send]')) {
      event.preventDefault();
      send(form);
    } else if (form.matches('[data-lc-form]')) {
      event.preventDefault();
      submitForm(form);
    } else if (form.matches('[data-lc-rate]')) {
      event.preventDefault();
      call('POST', form.getAttribute('action'), new URLSearchParams(new FormData(form))).then(async (res) => {
        const holder = document.createElement('template');
        holder.innerHTML = (await res.text()).trim();
        if (holder.content.firstElementChild) setStatus(holder.content.firstElementChild);
      });
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.target.matches('[data-lc-send] textarea')) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
    if (event.key === 'Escape' && embedded) tell('close');
  });
  document.addEventListener('click', (event) => {
    if (event.target.closest('[data-close]')) tell('close');
    // A button that shows another of the API's fragments in the body (another tab: the chat's state, a form).
    const view = event.target.closest('[data-lc-show]');
    if (view) {
      event.preventDefault();
      call('GET', view.dataset.lcShow).then(show, () => undefined);
    }
    const file = event.target.closest('a[data-lc-file]');
    const transcript = event.target.closest('a[data-lc-transcript]');
    if (file) {
      event.preventDefault();
      save(`files/${file.dataset.lcFile}`, file.dataset.name || 'file').catch(() => undefined);
    } else if (transcript && chat) {
      event.preventDefault();
      const kind = transcript.dataset.lcTranscript;
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
      save(`chats/${chat}/transcript?format=${kind}&tz=${encodeURIComponent(zone)}`, `chat.${kind === 'html' ? 'html' : 'txt'}`).catch(() => undefined);
    }
  });

  /** A file chosen in the composer goes at once, under a client id of its own (a retry is stored once). */
  document.addEventListener('change', async (event) => {
    const input = event.target;
    if (!input.matches('[data-lc-send] input[type=file]') || !input.files.length || !chat) return;
    const error = input.form.querySelector('.lc-error');
    const data = new FormData();
    data.set('clientId', crypto.randomUUID());
    data.set('file', input.files[0]);
    error.textContent = '';
    input.disabled = true;
    try {
      const headers = { Accept: 'text/html', 'X-Livechat-Token': token };
      const res = await fetch(`${api}/chats/${chat}/files`, { method: 'POST', headers, body: data, credentials: 'omit' });
      if (res.ok) place(await res.text());
      else error.textContent = res.status < 500 ? await res.text() : root.dataset.notSent;
    } catch {
      error.textContent = root.dataset.notSent;
    } finally {
      input.disabled = false;
      input.value = '';
    }
  });
  // Tabs another module adds (Callback's "Call me back"): each loads its server-rendered piece into the body.
  document.addEventListener('click', (event) => {
    const tab = event.target.closest('[data-lc-tab]');
    if (!tab) return;
    for (const other of document.querySelectorAll('[data-lc-tab]')) other.setAttribute('aria-pressed', String(other === tab));
    // The website's page (its origin, as browsers tell a cross-site frame) goes along: a callback card shows where it came from.
    call('GET', `${tab.dataset.lcTab}?page=${encodeURIComponent(document.referrer)}`).then(show);
  });
  let hello;
  const greeted = new Promise((resolve) => {
    hello = resolve;
    setTimeout(resolve, embedded ? 1000 : 0);
  });
  window.addEventListener('message', (event) => {
    if (event.source !== parent) return;
    let message = event.data && event.data.gwarLivechat;
    if (message && message.page && typeof message.page.url === 'string') {
      const p = message.page;
      page = { url: p.url.slice(0, 2000), title: String(p.title ?? '').slice(0, 300), referrer: String(p.referrer ?? '').slice(0, 2000) };
      return reportPage();
    }
    if (message && message.hello) {
      // The website that frames us (frame-ancestors let only a listed one) and the token it kept for us.
      parentOrigin = event.origin;
      if (!token && typeof message.token === 'string' && message.token) token = message.token;
      if (message.identity && typeof message.identity.email === 'string') identity = message.identity;
      message = message.hello;
      hello();
    }
    if (message === 'open' || message === 'closed') open = message === 'open';
    if (open) {
      unread = 0;
      tell({ unread });
      body.querySelector('textarea, input:not([type=hidden])')?.focus();
    }
  });
  document.addEventListener('visibilitychange', () => !document.hidden && open && catchUp());

  tell('ready');
  greeted
    .then(() => call('GET', 'state'))
    .then(show, () => {
      body.textContent = root.dataset.notSent;
    });
})();
