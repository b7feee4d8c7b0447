import { DELIVERY_SECRET, renderedTestApp } from '../__testUtils__/renderedTestApp';
import { deliveredFiles } from './Delivery';

describe('deliveredFiles', () => {
  it('gives the same rendered objects the files of the app and environment asked for', async () => {
    const rendered = await renderedTestApp();
    // As the render cache gives them: frozen, and the same again in the next deployment.
    Object.freeze(rendered.workloads.web);
    const dev = await deliveredFiles(rendered, { app: 'shop', env: 'dev' });
    const qa = await deliveredFiles(rendered, { app: 'shop', env: 'qa' });
    const devAgain = await deliveredFiles(rendered, { app: 'shop', env: 'dev' });
    expect(dev.files['web.yaml']).toContain('key: shop/dev/web-secrets');
    expect(qa.files['web.yaml']).toContain('key: shop/qa/web-secrets');
    expect(qa.files['web.yaml']).not.toContain('shop/dev/');
    expect(devAgain).toEqual(dev);
    expect(dev.secrets.map(s => s.metadata.name)).toEqual(['web-secrets']);
    expect(JSON.stringify(dev.files)).not.toContain(DELIVERY_SECRET);
  });
});
