// The page's script: lists the notes from GET /notes and adds one with POST /notes.
const token = document.querySelector('meta[name="csrf-token"]').content;
const list = document.querySelector('#notes');
const form = document.querySelector('#new-note');
const error = document.querySelector('#error');

async function refresh() {
  const notes = await (await fetch('/notes')).json();
  list.replaceChildren(
    ...notes.map((note) => {
      const item = document.createElement('li');
      item.textContent = note.title;
      return item;
    }),
  );
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const title = new FormData(form).get('title');
  const response = await fetch('/notes', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': token },
    body: JSON.stringify({ title }),
  });
  if (!response.ok) {
    error.textContent = (await response.json()).detail ?? `The note was not saved (${response.status}).`;
    return;
  }
  error.textContent = '';
  form.reset();
  await refresh();
});

await refresh();
