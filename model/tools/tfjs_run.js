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
  const x = tf.tensor4d(data, [1, parseInt(H, 10), parseInt(W, 10), 3]);
  const outs = model.execute({ 'tower_0/images': x }, names);
  const list = Array.isArray(outs) ? outs : [outs];
  const shapes = {};
  for (let i = 0; i < names.length; i++) {
    const file = `out${i}.bin`;
    const arr = await list[i].data();
    fs.writeFileSync(path.join(outDir, file), Buffer.from(new Float32Array(arr).buffer));
    shapes[names[i]] = { file, shape: list[i].shape };
  }
  fs.writeFileSync(path.join(outDir, 'shapes.json'), JSON.stringify(shapes));
}
main().catch((e) => { console.error(e); process.exit(1); });
