//! Separable passes: a one-dimensional kernel applied to every line of a
//! `[z, y, x]` array along one axis.
//!
//! Lines are processed in blocks of up to [`LANES`] interleaved lines
//! (element `i` of lane `k` at `i * w + k`), so that the kernels' inner loops
//! run across independent lines: recursive filters have a dependency chain
//! along the line, and interleaving turns that latency into throughput the
//! compiler can vectorise. Each lane gets exactly the arithmetic a
//! line-by-line implementation would give it, so results do not depend on
//! the blocking. Blocks run in parallel with rayon.

use rayon::prelude::*;

/// Lines per block.
pub(crate) const LANES: usize = 32;

/// A one-dimensional kernel over a block of `w` interleaved lines: reads
/// `input` (`n * w` values), writes every value of `output` (same size);
/// `scratch` is working memory it may resize.
pub(crate) trait LineKernel<T>: Sync {
    /// Filters one block.
    fn apply(&self, input: &[T], output: &mut [T], w: usize, scratch: &mut Vec<T>);
}

/// Buffers reused by one worker across blocks.
struct Buffers<T> {
    input: Vec<T>,
    output: Vec<T>,
    scratch: Vec<T>,
}

impl<T: Copy + Default> Buffers<T> {
    fn new() -> Self {
        Buffers {
            input: Vec::new(),
            output: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn prepare(&mut self, len: usize) {
        self.input.resize(len, T::default());
        self.output.resize(len, T::default());
    }
}

/// Applies `kernel` along array axis `axis` (0 = z, 1 = y, 2 = x) of the
/// `[z, y, x]` array `src` of shape `shape`, converting values with `load`
/// before and `store` after, into `dst`.
pub(crate) fn along_axis<S, T, D, K>(
    src: &[S],
    dst: &mut [D],
    shape: [usize; 3],
    axis: usize,
    load: impl Fn(S) -> T + Sync,
    store: impl Fn(T) -> D + Sync,
    kernel: &K,
) where
    S: Copy + Sync,
    T: Copy + Default + Send,
    D: Copy + Send,
    K: LineKernel<T>,
{
    let [nz, ny, nx] = shape;
    debug_assert_eq!(src.len(), nz * ny * nx);
    debug_assert_eq!(dst.len(), src.len());
    match axis {
        2 => {
            // Rows are contiguous: transpose blocks of rows into lanes.
            dst.par_chunks_mut(nx * LANES)
                .zip(src.par_chunks(nx * LANES))
                .for_each_init(Buffers::new, |buf, (out_rows, in_rows)| {
                    let w = in_rows.len() / nx;
                    buf.prepare(nx * w);
                    for (k, row) in in_rows.chunks_exact(nx).enumerate() {
                        for (i, &v) in row.iter().enumerate() {
                            buf.input[i * w + k] = load(v);
                        }
                    }
                    kernel.apply(&buf.input, &mut buf.output, w, &mut buf.scratch);
                    for (k, row) in out_rows.chunks_exact_mut(nx).enumerate() {
                        for (i, v) in row.iter_mut().enumerate() {
                            *v = store(buf.output[i * w + k]);
                        }
                    }
                });
        }
        1 => {
            // Each z slab holds whole y lines; columns of x are the lanes.
            dst.par_chunks_mut(ny * nx)
                .zip(src.par_chunks(ny * nx))
                .for_each_init(Buffers::new, |buf, (out_slab, in_slab)| {
                    for x0 in (0..nx).step_by(LANES) {
                        let w = LANES.min(nx - x0);
                        buf.prepare(ny * w);
                        for i in 0..ny {
                            let row = &in_slab[i * nx + x0..i * nx + x0 + w];
                            for (k, &v) in row.iter().enumerate() {
                                buf.input[i * w + k] = load(v);
                            }
                        }
                        kernel.apply(&buf.input, &mut buf.output, w, &mut buf.scratch);
                        for i in 0..ny {
                            let row = &mut out_slab[i * nx + x0..i * nx + x0 + w];
                            for (k, v) in row.iter_mut().enumerate() {
                                *v = store(buf.output[i * w + k]);
                            }
                        }
                    }
                });
        }
        _ => {
            // z lines cross every slab. Each worker takes one stretch of
            // the xy plane and owns that stretch of every slab, so the
            // outputs stay disjoint without a staging copy.
            let plane = ny * nx;
            let stretch = (LANES * 64).min(plane);
            let mut stretches: Vec<Vec<&mut [D]>> = (0..plane.div_ceil(stretch))
                .map(|_| Vec::with_capacity(nz))
                .collect();
            for slab in dst.chunks_mut(plane) {
                for (k, piece) in slab.chunks_mut(stretch).enumerate() {
                    stretches[k].push(piece);
                }
            }
            stretches.into_par_iter().enumerate().for_each_init(
                Buffers::new,
                |buf, (k, mut pieces)| {
                    let start = k * stretch;
                    let len = pieces[0].len();
                    for x0 in (0..len).step_by(LANES) {
                        let w = LANES.min(len - x0);
                        buf.prepare(nz * w);
                        for i in 0..nz {
                            let from = i * plane + start + x0;
                            for (k, &v) in src[from..from + w].iter().enumerate() {
                                buf.input[i * w + k] = load(v);
                            }
                        }
                        kernel.apply(&buf.input, &mut buf.output, w, &mut buf.scratch);
                        for (i, piece) in pieces.iter_mut().enumerate() {
                            for (k, v) in piece[x0..x0 + w].iter_mut().enumerate() {
                                *v = store(buf.output[i * w + k]);
                            }
                        }
                    }
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Running sum along the line: order-dependent, so it shows whether
    /// each line is read in order and written back to its own place.
    struct CumSum;

    impl LineKernel<f64> for CumSum {
        fn apply(&self, input: &[f64], output: &mut [f64], w: usize, _: &mut Vec<f64>) {
            let n = input.len() / w;
            for k in 0..w {
                let mut acc = 0.0;
                for i in 0..n {
                    acc = acc * 10.0 + input[i * w + k];
                    output[i * w + k] = acc;
                }
            }
        }
    }

    #[test]
    fn every_axis_sees_its_own_lines_in_order() {
        let shape = [3, 4, 37];
        let src: Vec<f64> = (0..shape.iter().product::<usize>())
            .map(|i| (i % 7) as f64)
            .collect();
        let index = |z: usize, y: usize, x: usize| (z * shape[1] + y) * shape[2] + x;
        for axis in 0..3 {
            let mut dst = vec![0.0; src.len()];
            along_axis(&src, &mut dst, shape, axis, |v| v, |v| v, &CumSum);
            for z in 0..shape[0] {
                for y in 0..shape[1] {
                    for x in 0..shape[2] {
                        let pos = [z, y, x];
                        let mut acc = 0.0;
                        for i in 0..=pos[axis] {
                            let mut p = pos;
                            p[axis] = i;
                            acc = acc * 10.0 + src[index(p[0], p[1], p[2])];
                        }
                        assert_eq!(dst[index(z, y, x)], acc, "axis {axis} at {pos:?}");
                    }
                }
            }
        }
    }
}
