// The snippet's copy button: the text goes to the clipboard, and a status line says so.
document.addEventListener('click', async (event) => {
  const button = event.target.closest?.('[data-copy]');
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector('.copy-status');
  try {
    await navigator.clipboard.writeText(source.textContent);
    if (status) status.textContent = button.dataset.copied;
  } catch {
    // Without clipboard access the text is selected, for Ctrl+C.
    getSelection().selectAllChildren(source);
  }
});
