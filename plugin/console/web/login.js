// Log in with JSON so a failure shows on this page and success returns to the page
// asked for (?next=); without JavaScript the form posts and the server redirects.

const form = document.getElementById('login');
const msg = document.getElementById('login-error');
const params = new URLSearchParams(location.search);
if (params.get('error')) msg.textContent = 'Wrong access key ID or secret.';

// next: only a path of this site.
function next() {
  const n = params.get('next') || '/';
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/';
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  msg.textContent = '';
  const body = { access_key_id: form.access_key_id.value, secret_access_key: form.secret_access_key.value };
  let resp;
  try {
    resp = await fetch('/api/login', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
  } catch (err) {
    msg.textContent = `The console did not answer: ${err.message}`;
    return;
  }
  if (resp.ok) {
    location.assign(next());
    return;
  }
  let doc = {};
  try {
    doc = await resp.json();
  } catch {
    // keep the status below
  }
  msg.textContent = resp.status === 429 ? `Too many attempts: try again in ${resp.headers.get('Retry-After') || 'a few'} seconds.`
    : doc.message || `Log-in failed (HTTP ${resp.status}).`;
  form.secret_access_key.select();
});
