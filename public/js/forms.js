// Every page's forms: a save that came back with errors says so in the page's alert region (the form itself is
// swapped in new, which screen readers do not reliably read) and takes the focus to the first field to correct.
const region = document.getElementById('page-alert');

function announce(text) {
  if (!region) return;
  region.textContent = '';
  // Emptied first, so the same words after a second failed save are read out again.
  setTimeout(() => (region.textContent = text), 50);
}

function showErrors(root) {
  const summary = root.querySelector?.('.form-error');
  const text = summary?.textContent.trim();
  if (!text) return;
  announce(text);
  (root.querySelector('[aria-invalid="true"]') ?? summary).focus();
}

document.addEventListener('htmx:after:settle', (event) => {
  if (event.target instanceof Element) showErrors(event.target);
});
// A form sent without htmx comes back as a whole page.
showErrors(document.querySelector('main') ?? document);
