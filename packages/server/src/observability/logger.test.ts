import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, engineErrorContext } from './logger.ts';

function capture() {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), text: () => text };
}

describe('the logger', () => {
  it('redacts credentials and message bodies wherever a careless log call puts them', () => {
    const { logger, text } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer wm_secret_key', cookie: 'waymark_session=abc123secret', 'user-agent': 'curl/8' } },
        res: { headers: { 'set-cookie': 'waymark_session=def456secret' } },
        password: 'hunter2hunter2',
        user: { email: 'ann@example.com', password: 'another-password', apiKey: 'wm_nested_key' },
        message: { subject: 'Hi', html: '<p>private body</p>', text: 'private text body' },
        smtpUrl: 'smtp://user:smtp-password@mail',
        token: 'tok_secret',
      },
      'careless',
    );
    const written = text();
    for (const secret of ['wm_secret_key', 'abc123secret', 'def456secret', 'hunter2hunter2', 'another-password', 'wm_nested_key', 'private body', 'private text body', 'smtp-password', 'tok_secret']) {
      expect(written).not.toContain(secret);
    }
    // What is not secret stays readable.
    const line = JSON.parse(written) as Record<string, any>;
    expect(line.req.headers['user-agent']).toBe('curl/8');
    expect(line.user.email).toBe('ann@example.com');
    expect(line.message.subject).toBe('Hi');
    expect(line.password).toBe('[redacted]');
  });

  it('writes nothing below its level', () => {
    let text = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    const logger = createLogger({ level: 'warn', destination });
    logger.info('request');
    logger.warn('slow');
    expect(text.trim().split('\n').map((line) => JSON.parse(line).msg)).toEqual(['slow']);
  });

  it('names the journey and tile of an engine error that knows them', () => {
    expect(engineErrorContext(Object.assign(new Error('boom'), { journeyId: 'j1', tileId: 't1' }))).toEqual({ journeyId: 'j1', tileId: 't1' });
    expect(engineErrorContext(new Error('boom'))).toEqual({});
  });
});
