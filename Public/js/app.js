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
