/* Liuke's few behaviours, as delegated listeners on data attributes: no inline script or
   handler anywhere, so the Content-Security-Policy can forbid them (script-src 'self'). */
(function () {
  'use strict';

  /* Offer "use package" only for the packages that cover the line's service (checkout). */
  function packages(root) {
    root.querySelectorAll('.line-row').forEach(function (row) {
      var itemSelect = row.querySelector('select[name=line_item]');
      var select = row.querySelector('select[name=line_package]');
      if (!itemSelect || !select) { return; }
      var item = itemSelect.value;
      var service = item.indexOf('s:') === 0 ? item.slice(2) : null;
      select.querySelectorAll('option[data-services]').forEach(function (option) {
        var covers = service !== null && option.dataset.services.split(',').indexOf(service) >= 0;
        option.hidden = !covers;
        option.disabled = !covers;
        if (!covers && option.selected) { select.value = ''; }
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () { packages(document); });

  /* <form data-confirm="…">: ask before submitting. */
  document.addEventListener('submit', function (event) {
    var form = event.target.closest('form[data-confirm]');
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  }, true);

  document.addEventListener('change', function (event) {
    var target = event.target;
    /* <select data-submit-on-change>: e.g. the language switch. */
    if (target.matches('[data-submit-on-change]')) { target.form.submit(); }
    if (target.name === 'line_item') { packages(target.closest('.line-row').parentNode); }
  });

  document.addEventListener('click', function (event) {
    var button = event.target.closest('button');
    if (!button) { return; }
    /* data-print: print the page. */
    if (button.hasAttribute('data-print')) { window.print(); }
    /* data-append-template="template-id" data-target="container-id": add a row. */
    if (button.dataset.appendTemplate) {
      var template = document.getElementById(button.dataset.appendTemplate);
      var target = document.getElementById(button.dataset.target);
      target.insertAdjacentHTML('beforeend', template.innerHTML);
      packages(document);
    }
    /* data-remove-row=".selector": remove the enclosing row and re-quote the form. */
    if (button.dataset.removeRow) {
      var form = button.form;
      button.closest(button.dataset.removeRow).remove();
      if (form && window.htmx) { window.htmx.trigger(form, 'change'); }
    }
  });
})();
