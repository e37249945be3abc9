// Small progressive enhancements; every page works without this file.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var message = form.getAttribute('data-confirm');
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// Follow-up templates: picking one fills the text box (without JavaScript, saving an empty text uses the template).
document.addEventListener('change', function (event) {
  var select = event.target;
  if (select.name !== 'templateID') { return; }
  var form = select.form;
  var box = form && form.querySelector('textarea[data-templates]');
  var data = document.getElementById('follow-up-templates');
  if (!box || !data || !select.value) { return; }
  var text = JSON.parse(data.textContent)[select.value];
  if (text && (!box.value.trim() || window.confirm(box.getAttribute('data-replace') || '?'))) { box.value = text; }
});

// Calendar: drag an activity to another day; the page reloads with it moved. The card's form does the same without JavaScript.
(function () {
  var dragged = null;
  document.addEventListener('dragstart', function (e) {
    var item = e.target.closest && e.target.closest('[data-move]');
    if (!item) { return; }
    dragged = item;
    e.dataTransfer.setData('text/plain', item.id);
    e.dataTransfer.effectAllowed = 'move';
  });
  document.addEventListener('dragover', function (e) {
    if (dragged && e.target.closest && e.target.closest('.cal-day')) { e.preventDefault(); }
  });
  document.addEventListener('drop', function (e) {
    var day = e.target.closest && e.target.closest('.cal-day');
    var cal = day && day.closest('.calendar');
    if (!dragged || !day || !cal) { return; }
    e.preventDefault();
    var body = new URLSearchParams({ date: day.getAttribute('data-date'), _csrf: cal.getAttribute('data-csrf') });
    var item = dragged;
    dragged = null;
    fetch(item.getAttribute('data-move'), { method: 'POST', body: body, credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
      .then(function (r) { if (r.ok) { day.appendChild(item); window.location.reload(); } else { window.alert(r.status); } });
  });
})();

// Opportunity board: drag a card to another stage; the move is saved and the page reloads with the new
// sums. The select on each card does the same without JavaScript.
(function () {
  var card = null;
  document.addEventListener('dragstart', function (e) {
    var item = e.target.closest && e.target.closest('[data-stage-move]');
    if (!item) { return; }
    card = item;
    e.dataTransfer.setData('text/plain', item.id);
    e.dataTransfer.effectAllowed = 'move';
  });
  document.addEventListener('dragover', function (e) {
    var col = card && e.target.closest && e.target.closest('.kanban-col');
    if (col) { e.preventDefault(); col.classList.add('drop-target'); }
  });
  document.addEventListener('dragleave', function (e) {
    var col = e.target.closest && e.target.closest('.kanban-col');
    if (col && !col.contains(e.relatedTarget)) { col.classList.remove('drop-target'); }
  });
  document.addEventListener('drop', function (e) {
    var col = e.target.closest && e.target.closest('.kanban-col');
    var board = col && col.closest('.kanban');
    if (!card || !col || !board) { return; }
    e.preventDefault();
    col.classList.remove('drop-target');
    var item = card;
    card = null;
    if (item.closest('.kanban-col') === col) { return; }
    var body = new URLSearchParams({ stageID: col.getAttribute('data-stage'), _csrf: board.getAttribute('data-csrf') });
    col.querySelector('.kanban-cards').prepend(item);
    fetch(item.getAttribute('data-stage-move'), { method: 'POST', body: body, credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
      .then(function (r) { if (r.ok) { window.location.reload(); } else { window.alert(r.status); window.location.reload(); } });
  });
})();
