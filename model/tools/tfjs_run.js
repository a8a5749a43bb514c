// Runs the TF.js CenterNet graph model (pure-JS CPU backend) on a raw float32 NHWC input and
// writes the requested node outputs as raw float32 + a JSON of shapes. Used by the port parity test.
//   node tfjs_run.js NODE_MODULES MODEL_DIR INPUT.bin H W OUT_DIR node1 [node2 ...]
const fs = require('fs');
const path = require('path');
const [nodeModules, modelDir, inputFile, H, W, outDir, ...names] = process.argv.slice(2);
const tf = require(path.join(nodeModules, '@tensorflow/tfjs'));

async function main() {
  await tf.setBackend('cpu');
  const graph = JSON.parse(fs.readFileSync(path.join(modelDir, 'centernet.json'), 'utf8'));
  // allow any input size (the graph pins 512x512; every op here is size-agnostic)
  for (const n of graph.modelTopology.node) {
    if (n.op === 'Placeholder' && n.attr && n.attr.shape) {
      n.attr.shape.shape.dim = n.attr.shape.shape.dim.map(() => ({ size: '-1' }));
    }
  }
  for (const k of Object.keys(graph.signature.inputs)) {
    graph.signature.inputs[k].tensorShape.dim = graph.signature.inputs[k].tensorShape.dim.map(() => ({ size: '-1' }));
  }
  const bufs = graph.weightsManifest[0].paths.map((p) => fs.readFileSync(path.join(modelDir, p)));
  const all = Buffer.concat(bufs);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const handler = {
    load: async () => ({
      modelTopology: graph.modelTopology,
      format: graph.format,
      generatedBy: graph.generatedBy,
      convertedBy: graph.convertedBy,
      signature: graph.signature,
      weightSpecs: graph.weightsManifest[0].weights,
      weightData,
    }),
  };
  const model = await tf.loadGraphModel(handler);
  const raw = fs.readFileSync(inputFile);
  const data = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const h = parseInt(H, 10);
  const w = parseInt(W, 10);
  const per = h * w * 3;
  const n = data.length / per; // several images: run one by one, outputs stacked on axis 0
  const chunks = names.map(() => []);
  const shapes = {};
  for (let b = 0; b < n; b++) {
    const x = tf.tensor4d(data.subarray(b * per, (b + 1) * per), [1, h, w, 3]);
    const outs = model.execute({ 'tower_0/images': x }, names);
    const list = Array.isArray(outs) ? outs : [outs];
    for (let i = 0; i < names.length; i++) {
      chunks[i].push(await list[i].data());
      shapes[names[i]] = { file: `out${i}.bin`, shape: [n].concat(list[i].shape.slice(1)) };
      list[i].dispose();
    }
    x.dispose();
  }
  for (let i = 0; i < names.length; i++) {
    const total = chunks[i].reduce((s, c) => s + c.length, 0);
    const all = new Float32Array(total);
    let off = 0;
    for (const c of chunks[i]) { all.set(c, off); off += c.length; }
    fs.writeFileSync(path.join(outDir, `out${i}.bin`), Buffer.from(all.buffer));
  }
  fs.writeFileSync(path.join(outDir, 'shapes.json'), JSON.stringify(shapes));
}
main().catch((e) => { console.error(e); process.exit(1); });
