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

  /* A table's cells carry their column's heading (data-label), which the phone layout shows
     beside each value when the table becomes a list of cards (app.css). */
  function labelCells(root) {
    root.querySelectorAll('table.table').forEach(function (table) {
      var heads = table.querySelectorAll(':scope > thead > tr > th');
      if (!heads.length) { return; }
      table.querySelectorAll(':scope > tbody > tr').forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          var head = heads[column];
          /* a cell across columns (an empty list's note, a row's form) has no one heading */
          if (head && cell.colSpan === 1 && !cell.hasAttribute('data-label')) {
            cell.setAttribute('data-label', head.textContent.trim());
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    packages(document);
    labelCells(document);
  });
  document.addEventListener('htmx:afterSettle', function () { labelCells(document); });

  /* The navigation menu closes on a click outside it and on Escape. */
  function closeMenus(except) {
    document.querySelectorAll('details[data-navmenu][open]').forEach(function (menu) {
      if (menu !== except) { menu.open = false; }
    });
  }
  document.addEventListener('click', function (event) {
    closeMenus(event.target.closest('details[data-navmenu]'));
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { closeMenus(null); }
  });

  /* A line's "performed by" list: only the staff of the branch who perform its service, asked
     of <form data-staff-url> when the service or the branch changes (checkout). */
  function refreshStaff(row) {
    var form = row.closest('form[data-staff-url]');
    var item = row.querySelector('select[name=line_item]');
    var branch = form && form.querySelector('[name=branch_id]');
    if (!form || !item || !branch) { return; }
    /* the line's staff member and the one sharing it (a split) choose from the same list */
    row.querySelectorAll('select[name=line_staff], select[name=line_staff2]').forEach(
      function (staff) {
        var query = new URLSearchParams({
          branch_id: branch.value, line_item: item.value, line_staff: staff.value
        });
        fetch(form.dataset.staffUrl + '?' + query.toString(), {
          credentials: 'same-origin', headers: { 'HX-Request': 'true' }
        }).then(function (response) {
          return response.ok ? response.text() : null;
        }).then(function (html) {
          if (html === null) { return; }
          /* keep what was chosen meanwhile, if that person may still do it */
          var before = staff.value;
          staff.innerHTML = html;
          var kept = Array.prototype.some.call(staff.options, function (o) {
            return o.value === before;
          });
          staff.value = kept ? before : '';
          if (staff.value !== before && window.htmx) { window.htmx.trigger(form, 'change'); }
        });
      });
  }

  /* Yuan text ("1234.5") from fen, as the amount fields take it. */
  function yuan(fen) {
    var cents = String(fen % 100);
    return Math.floor(fen / 100) + '.' + (cents.length < 2 ? '0' + cents : cents);
  }

  /* A payment row whose method was just picked, with no amount yet, gets the amount still due
     once the quote answers: the total after discounts less the payments already entered (no
     more than a card's balance). One row per answer; filling it asks for the quote again. */
  document.addEventListener('htmx:afterSwap', function (event) {
    var quote = (event.detail && event.detail.target) || event.target;
    if (!quote || quote.id !== 'quote') { return; }
    var cell = quote.querySelector('[data-remaining-fen]');
    var row = document.querySelector('.pay-row[data-fill-due]');
    if (!row) { return; }
    delete row.dataset.fillDue;
    var amount = row.querySelector('input[name=pay_amount]');
    var option = row.querySelector('select[name=pay_method]').selectedOptions[0];
    var due = cell ? parseInt(cell.dataset.remainingFen, 10) : 0;
    if (option && option.dataset.balanceFen) {
      due = Math.min(due, parseInt(option.dataset.balanceFen, 10));
    }
    if (due > 0 && amount && amount.value.trim() === '') {
      amount.value = yuan(due);
      if (window.htmx) { window.htmx.trigger(amount.form, 'change'); }
    }
  });

  /* <form data-confirm="…">: ask before submitting. */
  document.addEventListener('submit', function (event) {
    var form = event.target.closest('form[data-confirm]');
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  }, true);

  document.addEventListener('change', function (event) {
    var target = event.target;
    /* <select data-submit-on-change>: e.g. the language switch. */
    if (target.matches('[data-submit-on-change]')) { target.form.submit(); }
    if (target.name === 'line_item') {
      packages(target.closest('.line-row').parentNode);
      refreshStaff(target.closest('.line-row'));
    }
    if (target.name === 'branch_id' && target.form && target.form.dataset.staffUrl) {
      target.form.querySelectorAll('.line-row').forEach(refreshStaff);
    }
    if (target.name === 'pay_method') {
      var row = target.closest('.pay-row');
      var amount = row && row.querySelector('input[name=pay_amount]');
      if (target.value && amount && amount.value.trim() === '') { row.dataset.fillDue = '1'; }
    }
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
