import helmet from 'helmet';

/**
 * The admin pages' Content-Security-Policy, replacing the API's: Bull Board's own scripts and styles
 * come from this origin, its components set inline styles, and its data comes from its JSON API here.
 * Nothing is loaded from elsewhere (its Google Fonts stylesheet is refused; the system font is used).
 */
export const adminCsp = helmet.contentSecurityPolicy({
  useDefaults: true,
  directives: {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'", 'data:'],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
  },
});
