import type { TrackingLinks } from './render.ts';

/**
 * Links for an email shown to staff (a preview, a message in the outbox), never sent. They carry no
 * token: a tracking or unsubscribe token is the recipient's capability, and anyone who may read an
 * email in Waymark (a viewer too) must not be able to click, open or unsubscribe in a contact's name.
 * Links go straight to their destination; the unsubscribe link and the open pixel lead nowhere.
 */
export function previewLinks(config: { publicUrl: string }): TrackingLinks {
  const base = config.publicUrl.replace(/\/$/, '');
  const unsubscribe = `${base}/u/preview`;
  return { click: (url) => url, openPixel: `${base}/t/o/preview`, unsubscribe, oneClickUnsubscribe: unsubscribe };
}
