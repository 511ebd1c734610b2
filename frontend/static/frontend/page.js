// Behaviour every page shares, wired here because the pages' CSP runs no inline handlers:
// a control marked data-submit-on-change submits its form; a button marked data-print prints.
for (const control of document.querySelectorAll('[data-submit-on-change]')) {
  control.addEventListener('change', () => control.form.submit());
}
for (const button of document.querySelectorAll('[data-print]')) {
  button.addEventListener('click', () => window.print());
}
