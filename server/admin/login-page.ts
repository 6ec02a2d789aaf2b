const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface LoginPageOptions {
  error?: string;
  email?: string;
  /** Shown instead of the form's heading text when a valid session cookie came with the request. */
  signedIn?: boolean;
}

// Plain HTML, one inline <style> and no script: the admin CSP allows inline styles and no inline scripts.
const STYLE = `
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f6;
font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827}
main{background:#fff;padding:2rem 2.25rem;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12);width:20rem}
h1{font-size:1.25rem;margin:0 0 .25rem}p{margin:.25rem 0 1rem;color:#4b5563}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem .6rem;border:1px solid #d1d5db;border-radius:6px;font:inherit}
button{margin-top:1.25rem;width:100%;padding:.6rem;border:0;border-radius:6px;background:#1f2937;color:#fff;font:inherit;cursor:pointer}
button.secondary{background:#e5e7eb;color:#111827}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;padding:.5rem .75rem;border-radius:6px}
a{color:#1d4ed8}`;

export function loginPage(options: LoginPageOptions = {}): string {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  const session = options.signedIn
    ? `<p>You are signed in. <a href="/admin/queues">Open the queues</a>.</p>
<form method="post" action="/admin/logout"><button type="submit" class="secondary">Sign out</button></form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>Patron · sign in</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Patron jobs</h1>
<p>Platform sysadmins sign in to see the job queues.</p>
${error}${session}
<form method="post" action="/admin/login">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(options.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}
