// Reference kernels: Conv and ConvTranspose, float64 accumulation over a window table.
import { Conv, ConvTranspose, convDims, convTransposeGeometry, convWindow } from '../../../ir/ops/conv.js';
import { opError } from '../../../ir/ops/shape-util.js';
import { beginPads, endPads } from '../../../ir/ops/window.js';
import { defineKernel } from '../kernel.js';
import { concreteShape, required } from './args.js';
import { spanSize, tensorOf } from './nn-args.js';
import { windowTable } from './window-table.js';

defineKernel(Conv, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const w = required(inputs, 1, node);
  const bias = inputs[2];
  const shape = concreteShape(node, convDims(node, x.shape, w.shape, attrs));
  const win = convWindow(node, x.shape, w.shape, attrs)!;
  const sizes = x.shape.slice(2);
  const table = windowTable(win, sizes, shape.slice(2), beginPads(win, sizes), endPads(win, sizes));
  const [batch, channels] = [x.shape[0]!, x.shape[1]!];
  const [outChannels, group] = [shape[1]!, attrs.group];
  if (bias !== undefined && bias.data.length !== outChannels) throw opError(node, `B has ${bias.data.length} values for ${outChannels} output channels`);
  const [cg, mg] = [channels / group, outChannels / group];
  const plane = spanSize(sizes, 0);
  const { outputs, taps, offsets } = table;
  const out = new Float64Array(batch * outChannels * outputs);
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < outChannels; m++) {
      const g = Math.floor(m / mg);
      const base = (n * outChannels + m) * outputs;
      const b = bias === undefined ? 0 : bias.data[m]!;
      for (let o = 0; o < outputs; o++) {
        let acc = b;
        for (let c = 0; c < cg; c++) {
          const xBase = (n * channels + g * cg + c) * plane;
          const wBase = (m * cg + c) * taps;
          for (let t = 0; t < taps; t++) {
            const off = offsets[o * taps + t]!;
            if (off >= 0) acc += x.data[xBase + off]! * w.data[wBase + t]!;
          }
        }
        out[base + o] = acc;
      }
    }
  }
  return [tensorOf(x.dtype, shape, out)];
});

defineKernel(ConvTranspose, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const w = required(inputs, 1, node);
  const bias = inputs[2];
  const win = convWindow(node, x.shape, w.shape, attrs)!;
  const sizes = x.shape.slice(2);
  const rank = sizes.length;
  const { out: outSizes, padBegin } = convTransposeGeometry(node, win, sizes, attrs.output_padding ?? new Array<number>(rank).fill(0), attrs.output_shape);
  const [batch, channels, group] = [x.shape[0]!, x.shape[1]!, attrs.group];
  if (w.shape[0] !== channels) throw opError(node, `W's first dim ${w.shape[0]} must equal X's channels ${channels}`);
  const mg = w.shape[1]!;
  const outChannels = mg * group;
  const cg = channels / group;
  const shape = [batch, outChannels, ...outSizes];
  const [inPlane, outPlane, taps] = [spanSize(sizes, 0), spanSize(outSizes, 0), spanSize(win.kernel, 0)];
  // Scatter form: input position i and tap t write output position i*stride - pad + t*dilation.
  const target = new Int32Array(inPlane * taps);
  const pos = new Array<number>(rank).fill(0);
  const tap = new Array<number>(rank).fill(0);
  for (let i = 0; i < inPlane; i++) {
    for (let d = rank - 1, r = i; d >= 0; d--) { pos[d] = r % sizes[d]!; r = Math.floor(r / sizes[d]!); }
    for (let t = 0; t < taps; t++) {
      for (let d = rank - 1, r = t; d >= 0; d--) { tap[d] = r % win.kernel[d]!; r = Math.floor(r / win.kernel[d]!); }
      let offset = 0;
      for (let d = 0; d < rank && offset >= 0; d++) {
        const p = pos[d]! * win.strides[d]! - padBegin[d]! + tap[d]! * win.dilations[d]!;
        offset = p < 0 || p >= outSizes[d]! ? -1 : offset * outSizes[d]! + p;
      }
      target[i * taps + t] = offset;
    }
  }
  const out = new Float64Array(batch * outChannels * outPlane);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const g = Math.floor(c / cg);
      const xBase = (n * channels + c) * inPlane;
      for (let mm = 0; mm < mg; mm++) {
        const oBase = (n * outChannels + g * mg + mm) * outPlane;
        const wBase = (c * mg + mm) * taps;
        for (let i = 0; i < inPlane; i++) {
          const xv = x.data[xBase + i]!;
          for (let t = 0; t < taps; t++) {
            const off = target[i * taps + t]!;
            if (off >= 0) out[oBase + off]! += xv * w.data[wBase + t]!;
          }
        }
      }
    }
  }
  if (bias !== undefined) {
    for (let n = 0; n < batch; n++) for (let m = 0; m < outChannels; m++) {
      const base = (n * outChannels + m) * outPlane;
      for (let o = 0; o < outPlane; o++) out[base + o]! += bias.data[m]!;
    }
  }
  return [tensorOf(x.dtype, shape, out)];
});
