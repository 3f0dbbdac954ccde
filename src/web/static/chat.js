// pintu's web chat, better with JavaScript: messages are sent with fetch and replies fetched
// by polling, without reloading the page. Without this file every form still works as a plain
// post. No inline script anywhere (the Content-Security-Policy forbids it).
(function () {
  'use strict';
  var chat = document.getElementById('chat');
  var log = document.getElementById('log');
  if (!chat || !log || !window.fetch || !window.URLSearchParams) return;
  var after = Number(chat.getAttribute('data-after')) || 0;
  var busy = false;

  function newMid() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  function setAfter(n) {
    after = Math.max(after, n);
    document.querySelectorAll('input[name=after]').forEach(function (i) { i.value = after; });
    var refresh = document.getElementById('refresh');
    if (refresh) refresh.href = '/obrolan?after=' + after + '#akhir';
  }

  function addLine(mine, html, text) {
    var li = document.createElement('li');
    li.className = mine ? 'me' : 'pintu';
    // Replies come as HTML escaped by pintu; the citizen's own text is shown as text.
    if (mine) li.textContent = text; else li.innerHTML = html;
    log.appendChild(li);
    li.scrollIntoView({ block: 'end' });
  }

  function showChoices(choices) {
    var old = document.getElementById('choices');
    var send = document.getElementById('send');
    if (old) old.parentNode.removeChild(old);
    if (!choices.length || !send) return;
    var form = document.createElement('form');
    form.method = 'post';
    form.action = '/obrolan';
    form.className = 'choices';
    form.id = 'choices';
    ['token', 'mid', 'after'].forEach(function (name) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = send.querySelector('input[name=' + name + ']').value;
      form.appendChild(input);
    });
    choices.forEach(function (label, i) {
      var b = document.createElement('button');
      b.type = 'submit';
      b.name = 'text';
      b.value = String(i + 1);
      b.textContent = (i + 1) + '. ' + label;
      form.appendChild(b);
    });
    form.addEventListener('submit', onSubmit);
    send.parentNode.insertBefore(form, send);
  }

  // The question asks for a photo, a document or a location: open that part of the page.
  function showHint(hint) {
    var upload = document.getElementById('extra-upload');
    var where = document.getElementById('extra-location');
    if (upload) upload.open = hint === 'foto' || hint === 'dokumen';
    if (where) where.open = hint === 'lokasi';
    var kind = document.querySelector('#upload select[name=jenis]');
    if (kind && upload.open) kind.value = hint;
  }

  function poll() {
    return fetch('/obrolan/baru?after=' + after, { credentials: 'same-origin' })
      .then(function (r) { return r.status === 200 ? r.json() : null; })
      .then(function (news) {
        if (!news) return;
        news.lines.forEach(function (html) { addLine(false, html); });
        if (news.lines.length) {
          showChoices(news.choices);
          showHint(news.hint);
        }
        setAfter(news.after);
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function onSubmit(e) {
    var form = e.target;
    var data = new URLSearchParams();
    form.querySelectorAll('input[type=hidden], textarea').forEach(function (i) {
      data.append(i.name, i.value);
    });
    if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    var mid = newMid();
    data.set('mid', mid);
    var shown = data.get('text') || (data.get('lat') ? '📍 ' + data.get('lat') + ', ' + data.get('lon') : '');
    if (!shown.trim()) { e.preventDefault(); return; }
    e.preventDefault();
    busy = true;
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-Pintu-Fetch': '1', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: data.toString()
    }).then(function (r) {
      if (r.status !== 204) throw new Error(String(r.status));
      addLine(true, null, shown.trim());
      var box = form.querySelector('textarea');
      if (box) box.value = '';
      return poll();
    }).catch(function () {
      // Let the server's own page explain (rate limit, expired page): post it plainly, with
      // the same message id so it is never stepped twice.
      form.querySelector('input[name=mid]').value = mid;
      if (e.submitter && e.submitter.name) {
        var keep = document.createElement('input');
        keep.type = 'hidden';
        keep.name = e.submitter.name;
        keep.value = e.submitter.value;
        form.appendChild(keep);
      }
      form.submit();
    }).then(function () { busy = false; });
  }

  ['send', 'choices', 'location'].forEach(function (id) {
    var form = document.getElementById(id);
    if (form) form.addEventListener('submit', onSubmit);
  });

  var box = document.getElementById('text');
  if (box) box.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      document.getElementById('send').requestSubmit();
    }
  });

  var where = document.getElementById('location');
  var locate = document.getElementById('locate');
  if (where && locate && navigator.geolocation) {
    where.hidden = false;
    locate.addEventListener('click', function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        where.querySelector('input[name=lat]').value = pos.coords.latitude.toFixed(6);
        where.querySelector('input[name=lon]').value = pos.coords.longitude.toFixed(6);
        locate.disabled = false;
        where.requestSubmit();
      }, function () {
        locate.disabled = false;
        locate.textContent = 'Lokasi tidak tersedia: ketik koordinatnya · Location unavailable: type the coordinates';
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  window.setInterval(function () {
    if (!busy && document.visibilityState === 'visible') poll();
  }, 3000);
  log.lastElementChild && log.lastElementChild.scrollIntoView({ block: 'end' });
})();
