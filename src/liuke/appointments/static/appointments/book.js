/* The appointment book on a tablet: blocks placed from their minutes, the current-time line,
   tap an empty time to book, tap a block for its card (status buttons), drag a block to move
   it or to another column (staff member or day), drag its bottom edge to change its length.
   Every change is sent to the server's move (the same checks as a booking); a refusal is shown
   in words and the block goes back where it was. No inline script: CSP script-src 'self'. */
(function () {
  'use strict';

  var book = document.getElementById('book');
  if (!book) { return; }
  var step = Number(book.dataset.step);
  var rows = Number(book.dataset.rows);
  var first = Number(book.dataset.first);
  var dialog = document.getElementById('book-dialog');
  var dialogBody = dialog.querySelector('.book-dialog-body');
  var message = document.querySelector('.book-message');
  var HOLD_MS = 350;  /* a press this long, or a move this far, starts a drag: a tap stays a tap */
  var SLOP_PX = 8;

  function px() { return parseFloat(getComputedStyle(book).getPropertyValue('--px')) || 1.6; }
  function place(root) {
    var scale = px();
    book.style.setProperty('--rows-min', String(rows * step));
    root.querySelectorAll('[data-top]').forEach(function (el) {
      el.style.top = (Number(el.dataset.top) * scale) + 'px';
      if (el.dataset.height) { el.style.height = (Number(el.dataset.height) * scale) + 'px'; }
    });
  }
  function csrf() {
    var headers = JSON.parse(document.body.getAttribute('hx-headers') || '{}');
    return headers['X-CSRFToken'] || '';
  }
  function say(text) {
    message.textContent = text;
    message.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { message.hidden = true; }, 6000);
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  /* "YYYY-MM-DDTHH:MM" on the branch's clock, `minutes` after the grid's first row of `day` */
  function wallClock(day, minutes) {
    var total = first + minutes;
    var date = new Date(day + 'T00:00:00Z');
    date.setUTCMinutes(date.getUTCMinutes() + total);
    return date.toISOString().slice(0, 10) + 'T' + pad(date.getUTCHours()) + ':' + pad(date.getUTCMinutes());
  }
  function snap(minutes) { return Math.max(0, Math.min(rows * step, Math.round(minutes / step) * step)); }

  function openDialog(url) {
    fetch(url, { credentials: 'same-origin', headers: { 'HX-Request': 'true' } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        dialogBody.innerHTML = html;
        if (window.htmx) { window.htmx.process(dialogBody); }
        if (!dialog.open) { dialog.showModal(); }
      }).catch(function () { say(book.dataset.refused); });
  }

  /* the current-time line, moved on every minute */
  function nowLine() {
    if (book.dataset.now === undefined) { return; }
    var started = Date.now();
    var base = Number(book.dataset.now);
    book.querySelectorAll('.book-col .book-body').forEach(function (body) {
      var line = document.createElement('div');
      line.className = 'book-now';
      line.dataset.top = String(base);
      body.appendChild(line);
    });
    setInterval(function () {
      var top = base + Math.floor((Date.now() - started) / 60000);
      book.querySelectorAll('.book-now').forEach(function (line) {
        line.dataset.top = String(top);
        line.hidden = top > rows * step;
      });
      place(book);
    }, 60000);
  }

  function columnAt(x, y) {
    var el = document.elementFromPoint(x, y);
    return el ? el.closest('.book-col') : null;
  }

  /* one gesture on a block: a tap opens its card; a drag moves it; a drag of its lower edge
     resizes it */
  function gesture(event, block) {
    var resize = event.target.classList.contains('appt-resize');
    var movable = block.hasAttribute('data-movable');
    var startX = event.clientX, startY = event.clientY;
    var scale = px();
    var top0 = Number(block.dataset.top), height0 = Number(block.dataset.height);
    var home = block.parentNode, homeCol = block.closest('.book-col');
    var dragging = false, target = homeCol;
    var timer = movable ? setTimeout(function () { begin(); }, HOLD_MS) : null;
    /* listened for on the window: moving the block into another column takes it out of the
       document for a moment, which would end a pointer capture on it */

    function begin() {
      if (dragging) { return; }
      dragging = true;
      block.classList.add('dragging');
    }
    function move(e) {
      var dy = e.clientY - startY, dx = e.clientX - startX;
      if (!dragging && movable && Math.abs(dx) + Math.abs(dy) > SLOP_PX) { begin(); }
      if (!dragging) { return; }
      e.preventDefault();
      if (resize) {
        block.dataset.height = String(Math.max(step, snap(height0 + dy / scale)));
      } else {
        block.dataset.top = String(snap(top0 + dy / scale));
        var col = columnAt(e.clientX, e.clientY);
        if (col && col !== target) {
          if (target) { target.classList.remove('drop-target'); }
          target = col;
          target.classList.add('drop-target');
          target.querySelector('.book-body').appendChild(block);
        }
      }
      place(block.parentNode);
    }
    function putBack() {
      block.dataset.top = String(top0);
      block.dataset.height = String(height0);
      home.appendChild(block);
      place(home);
    }
    function end(e) {
      clearTimeout(timer);
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', end);
      window.removeEventListener('pointercancel', cancel);
      block.classList.remove('dragging');
      if (target) { target.classList.remove('drop-target'); }
      if (!dragging) {
        openDialog(book.dataset.detailUrl.replace('/0/', '/' + block.dataset.appointment + '/'));
        return;
      }
      var top = Number(block.dataset.top), height = Number(block.dataset.height);
      if (top === top0 && height === height0 && target === homeCol) { return; }
      var day = target.dataset.day;
      var body = { start_at: wallClock(day, top) };
      if (resize) { body.end_at = wallClock(day, top + height); }
      if (target.dataset.staff !== homeCol.dataset.staff) { body.staff_id = Number(target.dataset.staff); }
      block.classList.add('saving');
      fetch(book.dataset.moveUrl.replace('/0/', '/' + block.dataset.item + '/'), {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
        body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (answer) { return { ok: r.ok, answer: answer }; });
      }).then(function (result) {
        block.classList.remove('saving');
        if (!result.ok) {
          putBack();
          say((result.answer && result.answer.message) || book.dataset.refused);
          return;
        }
        window.location.reload();  /* the server's times, labels and the arrivals list */
      }).catch(function () {
        block.classList.remove('saving');
        putBack();
        say(book.dataset.refused);
      });
    }
    function cancel() {
      clearTimeout(timer);
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', end);
      window.removeEventListener('pointercancel', cancel);
      block.classList.remove('dragging');
      putBack();
    }
    window.addEventListener('pointermove', move, { passive: false });
    window.addEventListener('pointerup', end);
    window.addEventListener('pointercancel', cancel);
  }

  book.addEventListener('pointerdown', function (event) {
    if (event.button !== undefined && event.button > 0) { return; }
    var block = event.target.closest('.appt');
    if (block) { gesture(event, block); }
  });
  /* the browser's own drag of a block (an image-like drag, a text selection) would steal it */
  book.addEventListener('dragstart', function (event) { event.preventDefault(); });
  /* a tap on an empty time: the booking form for that staff member (column) and time */
  book.addEventListener('click', function (event) {
    if (!book.dataset.newUrl || event.target.closest('.appt')) { return; }
    var body = event.target.closest('.book-col .book-body');
    if (!body) { return; }
    var col = body.closest('.book-col');
    var minutes = Math.floor((event.clientY - body.getBoundingClientRect().top) / px() / step) * step;
    var query = new URLSearchParams({
      branch: book.dataset.branch, staff: col.dataset.staff, start: wallClock(col.dataset.day, minutes)
    });
    openDialog(book.dataset.newUrl + '?' + query.toString());
  });
  book.addEventListener('keydown', function (event) {
    var block = event.target.closest && event.target.closest('.appt');
    if (block && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      openDialog(book.dataset.detailUrl.replace('/0/', '/' + block.dataset.appointment + '/'));
    }
  });

  place(book);
  nowLine();
  place(book);
  /* open on the current time (or the first booking), not at the top of the day */
  var scroller = book.closest('.book-scroll');
  var focus = book.dataset.now !== undefined ? Number(book.dataset.now) - 60 : null;
  if (focus === null) {
    var tops = Array.prototype.map.call(book.querySelectorAll('.appt'), function (block) {
      return Number(block.dataset.top);
    });
    focus = tops.length ? Math.min.apply(null, tops) - 30 : 0;
  }
  if (scroller) { scroller.scrollTop = Math.max(0, focus * px()); }
}());
