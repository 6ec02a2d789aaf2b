import { expect } from 'chai';
import { createServer } from 'node:net';
import { config } from '../../config/env.js';
import { rabbitmqProblem } from '../../config/preflight.js';

describe('npm start preflight: RabbitMQ', () => {
  it('says nothing when RabbitMQ answers', async () => {
    expect(await rabbitmqProblem(config.events.rabbitmqUrl)).to.equal(undefined);
  });

  it('warns, naming the URL without its password and how to start it, when nothing listens there', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve)); // a port that was free a moment ago
    const problem = await rabbitmqProblem(`amqp://guest:secret@127.0.0.1:${port}`);
    expect(problem).to.match(/RabbitMQ is not answering at amqp:\/\/guest:\*\*\*@127\.0\.0\.1/);
    expect(problem).to.match(/EVENTS_RABBITMQ=false/);
    expect(problem).not.to.include('secret');
  });
});
