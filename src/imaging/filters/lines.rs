//! Separable passes: a one-dimensional kernel applied to every line of a
//! `[z, y, x]` array along one axis, keeping a range of each filtered line.
//!
//! Lines are processed in blocks of up to [`LANES`] interleaved lines
//! (element `i` of lane `k` at `i * w + k`), so that the kernels' inner loops
//! run across independent lines: recursive filters have a dependency chain
//! along the line, and interleaving turns that latency into throughput the
//! compiler can vectorise. Each lane gets exactly the arithmetic a
//! line-by-line implementation would give it, so results do not depend on
//! the blocking. Blocks run in parallel with rayon.
//!
//! A pass may keep only part of each filtered line (the output range): the
//! filters that feed feature extraction need only the ROI's bounding box,
//! and a separable filter whose later passes read only some positions of
//! this pass's output need not store, or even compute, the rest.

use std::ops::Range;

use rayon::prelude::*;

/// Lines per block.
pub(crate) const LANES: usize = 32;

/// A one-dimensional kernel over a block of `w` interleaved lines: reads
/// `input` (`n * w` values for lines of `n`) and writes every value of
/// `output`, which holds [`outputs`](LineKernel::outputs) results one after
/// the other, each the positions `out` of the filtered lines (`out.len() *
/// w` values); `scratch` is working memory it may resize.
pub(crate) trait LineKernel<T>: Sync {
    /// How many filtered lines the kernel makes from each line.
    fn outputs(&self) -> usize {
        1
    }

    /// Filters one block. How `out` numbers the positions of a filtered
    /// line is the kernel's to say (an index into the input line, or one on
    /// a periodic grid).
    fn apply(
        &self,
        input: &[T],
        output: &mut [T],
        w: usize,
        out: Range<usize>,
        scratch: &mut Vec<T>,
    );
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

    fn prepare(&mut self, input: usize, output: usize) {
        self.input.resize(input, T::default());
        self.output.resize(output, T::default());
    }
}

/// Applies `kernel` along array axis `axis` (0 = z, 1 = y, 2 = x) of the
/// `[z, y, x]` array `src` of shape `shape`, keeping positions `out` of
/// every filtered line, converting values with `load` before and `store`
/// after, into `dst`: an array of `shape` with `out.len()` along `axis`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn along_axis<S, T, D, K>(
    src: &[S],
    dst: &mut [D],
    shape: [usize; 3],
    axis: usize,
    out: Range<usize>,
    load: impl Fn(S) -> T + Sync,
    store: impl Fn(T) -> D + Sync,
    kernel: &K,
) where
    S: Copy + Sync,
    T: Copy + Default + Send,
    D: Copy + Send,
    K: LineKernel<T>,
{
    along_axis_into(src, &mut [dst], shape, axis, out, load, store, kernel);
}

/// [`along_axis`] for a kernel with several outputs, the `o`-th written to
/// `dsts[o]`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn along_axis_into<S, T, D, K>(
    src: &[S],
    dsts: &mut [&mut [D]],
    shape: [usize; 3],
    axis: usize,
    out: Range<usize>,
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
    let outputs = kernel.outputs();
    let m = out.len();
    let n = shape[axis];
    debug_assert_eq!(src.len(), nz * ny * nx);
    debug_assert_eq!(dsts.len(), outputs);
    debug_assert!(dsts.iter().all(|d| d.len() * n == src.len() * m));
    if src.is_empty() || m == 0 || outputs == 0 {
        return;
    }
    let plane = ny * nx;
    // Every worker task owns, in each output, the pieces it writes: a run of
    // whole rows (x), a whole slab (y), or one stretch of the xy plane in
    // every slab (z). Pieces of different tasks are disjoint.
    let (unit, units) = match axis {
        2 => (m * LANES, (nz * ny).div_ceil(LANES)),
        1 => (m * nx, nz),
        _ => {
            let unit = (LANES * 64).min(plane);
            (unit, plane.div_ceil(unit))
        }
    };
    let mut tasks: Vec<Vec<Vec<&mut [D]>>> = (0..units)
        .map(|_| (0..outputs).map(|_| Vec::new()).collect())
        .collect();
    for (o, dst) in dsts.iter_mut().enumerate() {
        if axis == 0 {
            for slab in dst.chunks_mut(plane) {
                for (k, piece) in slab.chunks_mut(unit).enumerate() {
                    tasks[k][o].push(piece);
                }
            }
        } else {
            for (k, piece) in dst.chunks_mut(unit).enumerate() {
                tasks[k][o].push(piece);
            }
        }
    }
    tasks.into_par_iter().enumerate().for_each_init(
        Buffers::new,
        |buf, (k, mut pieces)| match axis {
            2 => {
                // Rows are contiguous: transpose blocks of rows into lanes.
                let first = k * LANES * nx;
                let rows = &src[first..(first + LANES * nx).min(src.len())];
                let w = rows.len() / nx;
                buf.prepare(nx * w, m * w * outputs);
                // Slices and iterators rather than indices: no bounds check
                // or reload of the buffer in the inner loops.
                for (lane, row) in rows.chunks_exact(nx).enumerate() {
                    let column = buf.input[lane..].iter_mut().step_by(w);
                    for (v, &x) in column.zip(row) {
                        *v = load(x);
                    }
                }
                kernel.apply(
                    &buf.input,
                    &mut buf.output,
                    w,
                    out.clone(),
                    &mut buf.scratch,
                );
                for (o, piece) in pieces.iter_mut().enumerate() {
                    let result = &buf.output[o * m * w..(o + 1) * m * w];
                    for (lane, row) in piece[0].chunks_exact_mut(m).enumerate() {
                        for (v, &x) in row.iter_mut().zip(result[lane..].iter().step_by(w)) {
                            *v = store(x);
                        }
                    }
                }
            }
            1 => {
                // A z slab holds whole y lines; runs of x are the lanes.
                let slab = &src[k * plane..(k + 1) * plane];
                for x0 in (0..nx).step_by(LANES) {
                    let w = LANES.min(nx - x0);
                    buf.prepare(ny * w, m * w * outputs);
                    for (lanes, row) in buf.input.chunks_exact_mut(w).zip(slab.chunks_exact(nx)) {
                        for (v, &x) in lanes.iter_mut().zip(&row[x0..x0 + w]) {
                            *v = load(x);
                        }
                    }
                    kernel.apply(
                        &buf.input,
                        &mut buf.output,
                        w,
                        out.clone(),
                        &mut buf.scratch,
                    );
                    for (o, piece) in pieces.iter_mut().enumerate() {
                        let result = &buf.output[o * m * w..(o + 1) * m * w];
                        let rows = piece[0].chunks_exact_mut(nx);
                        for (row, lanes) in rows.zip(result.chunks_exact(w)) {
                            for (v, &x) in row[x0..x0 + w].iter_mut().zip(lanes) {
                                *v = store(x);
                            }
                        }
                    }
                }
            }
            _ => {
                // z lines cross every slab; runs of the plane are the lanes.
                let start = k * unit;
                let len = pieces[0][0].len();
                for x0 in (0..len).step_by(LANES) {
                    let w = LANES.min(len - x0);
                    buf.prepare(nz * w, m * w * outputs);
                    let slabs = src.chunks_exact(plane);
                    for (lanes, slab) in buf.input.chunks_exact_mut(w).zip(slabs) {
                        let from = start + x0;
                        for (v, &x) in lanes.iter_mut().zip(&slab[from..from + w]) {
                            *v = load(x);
                        }
                    }
                    kernel.apply(
                        &buf.input,
                        &mut buf.output,
                        w,
                        out.clone(),
                        &mut buf.scratch,
                    );
                    for (o, slabs) in pieces.iter_mut().enumerate() {
                        let result = &buf.output[o * m * w..(o + 1) * m * w];
                        for (piece, lanes) in slabs.iter_mut().zip(result.chunks_exact(w)) {
                            for (v, &x) in piece[x0..x0 + w].iter_mut().zip(lanes) {
                                *v = store(x);
                            }
                        }
                    }
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Running sum along the line: order-dependent, so it shows whether
    /// each line is read in order and written back to its own place.
    struct CumSum;

    impl LineKernel<f64> for CumSum {
        fn apply(
            &self,
            input: &[f64],
            output: &mut [f64],
            w: usize,
            out: Range<usize>,
            _: &mut Vec<f64>,
        ) {
            let n = input.len() / w;
            for k in 0..w {
                let mut acc = 0.0;
                for i in 0..n {
                    acc = acc * 10.0 + input[i * w + k];
                    if out.contains(&i) {
                        output[(i - out.start) * w + k] = acc;
                    }
                }
            }
        }
    }

    #[test]
    fn every_axis_sees_its_own_lines_in_order_and_keeps_the_range() {
        // 45 rows of 37: x blocks of 32 lanes and a partial one.
        let shape = [5, 9, 37];
        let src: Vec<f64> = (0..shape.iter().product::<usize>())
            .map(|i| (i % 7) as f64)
            .collect();
        let index = |p: [usize; 3], shape: [usize; 3]| (p[0] * shape[1] + p[1]) * shape[2] + p[2];
        for axis in 0..3 {
            let n = shape[axis];
            for out in [0..n, 1..n - 1, n - 1..n, 0..1, 2..4] {
                let mut kept = shape;
                kept[axis] = out.len();
                let mut dst = vec![f64::NAN; kept.iter().product()];
                along_axis(
                    &src,
                    &mut dst,
                    shape,
                    axis,
                    out.clone(),
                    |v| v,
                    |v| v,
                    &CumSum,
                );
                for z in 0..kept[0] {
                    for y in 0..kept[1] {
                        for x in 0..kept[2] {
                            let mut pos = [z, y, x];
                            pos[axis] += out.start;
                            let mut acc = 0.0;
                            for i in 0..=pos[axis] {
                                let mut p = pos;
                                p[axis] = i;
                                acc = acc * 10.0 + src[index(p, shape)];
                            }
                            let got = dst[index([z, y, x], kept)];
                            assert_eq!(got, acc, "axis {axis}, {out:?}, at {pos:?}");
                        }
                    }
                }
            }
        }
    }
}
