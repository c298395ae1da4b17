/**
 * The inspector's page: plain HTML, CSS and JavaScript, no framework and no build step. It reads
 * the JSON endpoints and listens to `/api/events`; every text it shows goes in through
 * `textContent`, never as HTML.
 */
export const INSPECTOR_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pantheon inspector</title>
<style>
  :root { --bg: #f6f7f9; --card: #fff; --line: #dde1e6; --ink: #1d2430; --dim: #667085; --ok: #137752; --bad: #b42318; --accent: #2f5bd3; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
  header { padding: 10px 18px; background: #101828; color: #fff; display: flex; gap: 14px; align-items: baseline; }
  header h1 { font-size: 16px; margin: 0; }
  header #status { color: #98a2b3; font-size: 12px; }
  main { display: grid; grid-template-columns: minmax(320px, 40%) 1fr; gap: 14px; padding: 14px 18px; }
  section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; min-width: 0; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--dim); margin: 0 0 8px; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-size: 12px; color: var(--dim); font-weight: 600; }
  tbody tr.actor { cursor: pointer; }
  tbody tr.actor:hover { background: #eef2fb; }
  tbody tr.selected { background: #e3eafc; }
  .state { font-size: 12px; padding: 1px 6px; border-radius: 9px; background: #eef0f3; }
  .state.failed, .state.rejected { background: #fde4e1; color: var(--bad); }
  .state.running { background: #e0ecff; color: var(--accent); }
  .state.idle { background: #dcf3e8; color: var(--ok); }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  .dim { color: var(--dim); }
  form { display: flex; gap: 6px; margin: 4px 0 10px; }
  form input { flex: 1; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
  button { padding: 6px 12px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px; font: inherit; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); }
  #reply { white-space: pre-wrap; margin: 0 0 10px; padding: 8px; border-radius: 6px; background: #f1f4f9; min-height: 1.5em; }
  #reply:empty { display: none; }
  .tick { border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin-bottom: 8px; }
  .tick .head { display: flex; gap: 8px; align-items: center; font-size: 12px; color: var(--dim); }
  .line { margin: 3px 0; white-space: pre-wrap; word-break: break-word; }
  .in::before { content: "\\2190  "; color: var(--accent); }
  .out::before { content: "\\2192  "; color: var(--ok); }
  .tool::before { content: "\\2699  "; color: #7a5af8; }
  .err { color: var(--bad); }
  .err::before { content: "\\26A0  "; }
  details { margin-top: 4px; }
  summary { cursor: pointer; font-size: 12px; color: var(--dim); }
  ul.spans { list-style: none; margin: 4px 0 0; padding-left: 14px; border-left: 2px solid var(--line); }
  ul.spans li { margin: 2px 0; }
  .span-name { font-weight: 600; }
  .span-error { color: var(--bad); margin-left: 6px; }
  #dead, #approvals-panel { margin: 0 18px 14px; }
  #approvals-panel:has(#approvals:empty) { display: none; }
  #approvals td.actions { display: flex; gap: 6px; }
  #approvals input.reason { padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; min-width: 10em; }
  button.deny { background: #fff; color: var(--bad); border-color: var(--bad); }
  #stream-log .line { font-size: 12px; color: var(--dim); }
  #reply.streaming::after { content: "\\25CD"; color: var(--dim); margin-left: 4px; }
</style>
</head>
<body>
<header><h1>Pantheon inspector</h1><span id="status">connecting…</span></header>
<section id="approvals-panel">
  <h2>Waiting for approval</h2>
  <table>
    <thead><tr><th>Actor</th><th>Tool</th><th>Arguments</th><th>Requested</th><th></th></tr></thead>
    <tbody id="approvals"></tbody>
  </table>
</section>
<main>
  <section>
    <h2>Actors</h2>
    <table>
      <thead><tr><th>Actor</th><th>State</th><th>Mailbox</th><th>Last tick</th></tr></thead>
      <tbody id="actors"></tbody>
    </table>
  </section>
  <section>
    <h2 id="actor-title">Select an actor</h2>
    <form id="send" hidden>
      <input id="content" name="content" autocomplete="off" placeholder="Message for the actor">
      <button type="submit" id="ask-button" data-ask="true">Ask</button>
      <button type="submit" id="send-button" class="secondary">Send</button>
    </form>
    <div id="reply" aria-live="polite"></div>
    <div id="stream-log"></div>
    <div id="timeline"></div>
  </section>
</main>
<section id="dead">
  <h2>Dead letters</h2>
  <table>
    <thead><tr><th>Reason</th><th>From</th><th>To</th><th>Content</th></tr></thead>
    <tbody id="dead-letters"></tbody>
  </table>
</section>
<script>
(() => {
  const token = new URLSearchParams(location.search).get('token');
  const headers = token ? { authorization: 'Bearer ' + token } : {};
  const withToken = (path) => token ? path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : path;
  const api = async (path, init = {}) => {
    const response = await fetch(path, { ...init, headers: { ...headers, ...(init.headers || {}) } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  };
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };
  const time = (at) => at ? new Date(at).toLocaleTimeString() : '';
  const short = (value) => { const text = typeof value === 'string' ? value : JSON.stringify(value); return text && text.length > 300 ? text.slice(0, 300) + '…' : text; };
  let selected = null;
  let actors = [];

  function renderActors() {
    const body = document.getElementById('actors');
    body.replaceChildren(...actors.map((actor) => {
      const row = el('tr', { class: 'actor' + (actor.id === selected ? ' selected' : ''), 'data-actor': actor.id },
        el('td', {}, el('div', { text: actor.name }), el('div', { class: 'mono dim', text: actor.id })),
        el('td', {}, el('span', { class: 'state ' + actor.state, text: actor.state + (actor.started ? '' : ' (not started)') })),
        el('td', { class: 'mailbox', text: String(actor.mailboxDepth) }),
        el('td', { class: 'dim', text: actor.lastTick ? time(actor.lastTick.at) + (actor.lastTick.durationMs !== undefined ? ' · ' + actor.lastTick.durationMs + ' ms' : '') + (actor.lastTick.errors ? ' · ' + actor.lastTick.errors + ' error(s)' : '') : '—' }));
      row.addEventListener('click', () => select(actor.id));
      return row;
    }));
  }

  function spanTree(span) {
    const item = el('li', {},
      el('span', { class: 'span-name', text: span.name }),
      el('span', { class: 'dim', text: ' ' + span.durationMs + ' ms' }),
      span.error ? el('span', { class: 'span-error', text: span.error }) : null);
    const attributes = Object.entries(span.attributes || {});
    if (attributes.length) item.append(el('div', { class: 'mono dim', text: attributes.map(([k, v]) => k + '=' + v).join('  ') }));
    if (span.children.length) item.append(el('ul', { class: 'spans' }, ...span.children.map(spanTree)));
    return item;
  }

  function tickView(tick) {
    const box = el('div', { class: 'tick', 'data-seq': String(tick.seq) },
      el('div', { class: 'head' }, el('span', { text: time(tick.at) }), el('span', { class: 'state ' + tick.state, text: tick.state }),
        tick.durationMs !== undefined ? el('span', { text: tick.durationMs + ' ms' }) : null));
    if (tick.input) box.append(el('div', { class: 'line in', text: tick.input.from + ': ' + tick.input.content }));
    for (const call of tick.toolCalls) box.append(el('div', { class: 'line tool', text: call.name + '(' + short(call.args) + ') ' + (call.error ? '→ ' + call.error : '→ ' + short(call.result)) }));
    for (const message of tick.sent) box.append(el('div', { class: 'line out', text: message.to + ': ' + message.content }));
    for (const error of tick.errors) box.append(el('div', { class: 'line err', text: error.code + ': ' + error.message }));
    box.append(el('details', {}, el('summary', { text: 'Span tree' }), el('ul', { class: 'spans' }, spanTree(tick.span))));
    return box;
  }

  async function renderTimeline() {
    if (!selected) return;
    const data = await api('/api/actors/' + encodeURIComponent(selected) + '/timeline');
    const list = document.getElementById('timeline');
    if (!data.recorded) {
      list.replaceChildren(el('p', { class: 'dim', text: 'Tick timelines need the recorder: serveInspector(system, { recorder }). Messages sent:' }),
        ...data.sent.slice().reverse().map((message) => el('div', { class: 'line out', text: message.to + ': ' + message.content })));
      return;
    }
    list.replaceChildren(...data.ticks.slice().reverse().map(tickView));
  }

  function select(id) {
    selected = id;
    const actor = actors.find((candidate) => candidate.id === id);
    document.getElementById('actor-title').textContent = actor ? actor.name + ' — timeline' : id;
    document.getElementById('send').hidden = false;
    document.getElementById('reply').textContent = '';
    document.getElementById('stream-log').replaceChildren();
    renderActors();
    renderTimeline().catch(showError);
  }

  async function renderDeadLetters() {
    const letters = await api('/api/dead-letters');
    document.getElementById('dead-letters').replaceChildren(...letters.slice().reverse().map((letter) =>
      el('tr', {}, el('td', { text: letter.reason }), el('td', { class: 'mono', text: letter.message.from }),
        el('td', { class: 'mono', text: letter.message.to }), el('td', { text: short(letter.message.content) }))));
  }

  function renderApprovals(pending) {
    document.getElementById('approvals').replaceChildren(...pending.map((approval) => {
      const reason = el('input', { class: 'reason', placeholder: 'Reason (to deny)', 'aria-label': 'Reason to deny' });
      const decide = async (decision, button) => {
        button.disabled = true;
        try {
          await api('/api/approvals/' + encodeURIComponent(approval.id) + '/' + decision, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify(decision === 'deny' && reason.value.trim() ? { reason: reason.value.trim() } : {}),
          });
        } catch (error) { showError(error); button.disabled = false; }
      };
      const approve = el('button', { class: 'approve', type: 'button', text: 'Approve' });
      const deny = el('button', { class: 'deny', type: 'button', text: 'Deny' });
      approve.addEventListener('click', () => decide('approve', approve));
      deny.addEventListener('click', () => decide('deny', deny));
      return el('tr', { 'data-approval': approval.id },
        el('td', { class: 'mono', text: approval.actorId }),
        el('td', { class: 'mono', text: approval.tool }),
        el('td', { class: 'mono', text: short(approval.args) }),
        el('td', { class: 'dim', text: time(approval.requestedAt) + ' by ' + approval.requestedBy }),
        el('td', { class: 'actions' }, reason, approve, deny));
    }));
  }

  /** Asks the actor and shows the reply as it streams (one JSON event a line). */
  async function streamAsk(content) {
    const reply = document.getElementById('reply');
    const log = document.getElementById('stream-log');
    log.replaceChildren();
    reply.textContent = 'Waiting for the answer…';
    const response = await fetch('/api/actors/' + encodeURIComponent(selected) + '/stream', {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ content }),
    });
    if (!response.ok) { const body = await response.json(); throw new Error(body.error || response.statusText); }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    let text = '';
    let finished = false;
    reply.classList.add('streaming');
    const note = (line) => log.append(el('div', { class: 'line tool', text: line }));
    const handle = (event) => {
      if (event.type === 'text-delta') { text += event.delta; reply.textContent = text; }
      else if (event.type === 'tool-call') { text = ''; note(event.actorId + ' calls ' + event.toolCall.name + '(' + short(event.toolCall.args) + ')'); }
      else if (event.type === 'tool-result') note(event.name + ' → ' + short(event.content));
      else if (event.type === 'approval-requested') { note(event.approval.tool + ' waits for approval'); reply.textContent = 'Waiting for approval of ' + event.approval.tool + '…'; }
      else if (event.type === 'message') { finished = true; reply.textContent = event.message.from + ': ' + event.message.content; }
      else if (event.type === 'error') { finished = true; reply.textContent = 'Failed: ' + event.error.code + ': ' + event.error.message; }
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        let end;
        while ((end = buffered.indexOf('\\n')) >= 0) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          if (line) handle(JSON.parse(line));
        }
      }
    } finally {
      reply.classList.remove('streaming');
    }
    if (!finished) reply.textContent = 'Failed: the answer ended early';
  }

  function showError(error) { document.getElementById('status').textContent = 'error: ' + error.message; }

  document.getElementById('send').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = document.getElementById('content');
    const ask = event.submitter && event.submitter.dataset.ask === 'true';
    const content = input.value.trim();
    if (!content || !selected) return;
    const reply = document.getElementById('reply');
    reply.textContent = ask ? 'Waiting for the answer…' : '';
    try {
      if (ask) {
        input.value = '';
        await streamAsk(content);
        return;
      }
      const result = await api('/api/actors/' + encodeURIComponent(selected) + '/messages', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content, ask }),
      });
      input.value = '';
      reply.textContent = 'Sent (' + result.messageId + ')';
    } catch (error) {
      reply.textContent = 'Failed: ' + error.message;
    }
  });

  const events = new EventSource(withToken('/api/events'));
  events.addEventListener('open', () => { document.getElementById('status').textContent = 'live'; });
  events.addEventListener('error', () => { document.getElementById('status').textContent = 'reconnecting…'; });
  events.addEventListener('actors', (event) => { actors = JSON.parse(event.data); renderActors(); });
  events.addEventListener('tick', (event) => {
    const tick = JSON.parse(event.data);
    if (tick.actorId !== selected) return;
    const list = document.getElementById('timeline');
    const view = tickView(tick);
    const existing = list.querySelector('[data-seq="' + tick.seq + '"]');
    if (existing) existing.replaceWith(view); else list.prepend(view);
  });
  events.addEventListener('approvals', (event) => renderApprovals(JSON.parse(event.data)));
  events.addEventListener('deadletter', () => renderDeadLetters().catch(showError));
  renderDeadLetters().catch(showError);
})();
</script>
</body>
</html>
`;
