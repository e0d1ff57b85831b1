//! Computational geometry for the IBSI morphological family (IBSI 1,
//! section 3.1, "Morphological features"): the convex hull of the ROI mesh
//! vertices, the oriented minimum bounding box, the minimum volume
//! enclosing ellipsoid and the surface area of an ellipsoid.
//!
//! The convex hull is computed in exact integer arithmetic. The marching
//! cubes vertices lie on a half-voxel lattice, so their coordinates are
//! integers in half-voxel units; the hull is found there, with exact
//! orientation predicates (`i128`), and only then scaled to mm. Scaling the
//! axes is an affine map, which maps the hull of the points onto the hull
//! of the scaled points, so nothing is lost, and coplanar, collinear and
//! duplicate points need no tolerances.

use nalgebra::Matrix3;

/// Largest absolute coordinate [`ConvexHull::new`] accepts: with
/// coordinates within ±2²⁸, every orientation determinant and every volume
/// term fits an `i128` with room to spare.
pub const MAX_HULL_COORDINATE: i64 = 1 << 28;

/// A point with integer coordinates (e.g. half-voxel units, `[z, y, x]`).
pub type IntPoint = [i64; 3];

/// The convex hull of a set of integer points, as outward-oriented
/// triangles. Coplanar hull faces are triangulated (possibly with extra
/// vertices lying on them), which changes neither the volume nor the area.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvexHull {
    points: Vec<IntPoint>,
    faces: Vec<[u32; 3]>,
}

/// A triangle being built by quickhull: its vertices, its (unnormalised)
/// outward normal `n = (b − a) × (c − a)`, `n · a`, and the points above it
/// not yet processed.
#[derive(Debug, Clone)]
struct Face {
    v: [u32; 3],
    normal: [i128; 3],
    offset: i128,
    outside: Vec<u32>,
    alive: bool,
}

fn wide(p: IntPoint) -> [i128; 3] {
    p.map(i128::from)
}

fn sub(a: [i128; 3], b: [i128; 3]) -> [i128; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(u: [i128; 3], v: [i128; 3]) -> [i128; 3] {
    [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ]
}

fn dot(u: [i128; 3], v: [i128; 3]) -> i128 {
    u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
}

impl Face {
    fn new(points: &[IntPoint], v: [u32; 3]) -> Face {
        let [a, b, c] = v.map(|i| wide(points[i as usize]));
        let normal = cross(sub(b, a), sub(c, a));
        Face {
            v,
            normal,
            offset: dot(normal, a),
            outside: Vec::new(),
            alive: true,
        }
    }

    /// Positive above the face (outside), 0 on its plane, exactly.
    fn height(&self, p: IntPoint) -> i128 {
        dot(self.normal, wide(p)) - self.offset
    }

    fn edges(&self) -> [(u32, u32); 3] {
        let [a, b, c] = self.v;
        [(a, b), (b, c), (c, a)]
    }
}

fn edge_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The points that can be hull vertices: a point strictly between two
/// others on a line parallel to an axis lies on the segment between them
/// and is never a vertex, so only the extreme points of each such line are
/// kept (the hull is unchanged, since every extreme point survives).
fn axis_extremes(points: &[IntPoint]) -> Vec<u32> {
    use std::collections::HashMap;
    let mut keep = vec![true; points.len()];
    for axis in 0..3 {
        let (u, v) = ((axis + 1) % 3, (axis + 2) % 3);
        let mut lines: HashMap<(i64, i64), (i64, i64)> = HashMap::with_capacity(points.len());
        for p in points {
            let entry = lines.entry((p[u], p[v])).or_insert((p[axis], p[axis]));
            entry.0 = entry.0.min(p[axis]);
            entry.1 = entry.1.max(p[axis]);
        }
        for (k, p) in points.iter().enumerate() {
            let (low, high) = lines[&(p[u], p[v])];
            if p[axis] != low && p[axis] != high {
                keep[k] = false;
            }
        }
    }
    // Duplicates: keep the first of equal points.
    let mut seen = std::collections::HashSet::with_capacity(points.len());
    (0..points.len() as u32)
        .filter(|&k| keep[k as usize] && seen.insert(points[k as usize]))
        .collect()
}

impl ConvexHull {
    /// The convex hull of `points` by quickhull (Barber, Dobkin & Huhdanpaa
    /// 1996) with exact predicates: a point is above a face only when its
    /// orientation determinant is strictly positive, so points on a face's
    /// plane (coplanar) or equal to a vertex (duplicates) are never added
    /// as eyes and need no tolerance.
    ///
    /// `None` when the points span no volume (fewer than four points not
    /// in one plane) or a coordinate exceeds ±[`MAX_HULL_COORDINATE`].
    /// Typically O(n log n) for n points (O(n²) at worst).
    pub fn new(points: &[IntPoint]) -> Option<ConvexHull> {
        if points
            .iter()
            .flatten()
            .any(|c| c.abs() > MAX_HULL_COORDINATE)
        {
            return None;
        }
        let candidates = axis_extremes(points);
        let p = |k: u32| wide(points[k as usize]);

        // The initial simplex: an extreme point, the point farthest from
        // it, the point farthest from their line, the point farthest from
        // their plane (any nonzero measure will do, so L1 norms avoid
        // overflow).
        let l1 = |u: [i128; 3]| u[0].abs() + u[1].abs() + u[2].abs();
        let &i0 = candidates.iter().min_by_key(|&&k| points[k as usize])?;
        let &i1 = candidates.iter().max_by_key(|&&k| l1(sub(p(k), p(i0))))?;
        if l1(sub(p(i1), p(i0))) == 0 {
            return None;
        }
        let axis = sub(p(i1), p(i0));
        let &i2 = candidates
            .iter()
            .max_by_key(|&&k| l1(cross(axis, sub(p(k), p(i0)))))?;
        let normal = cross(axis, sub(p(i2), p(i0)));
        if l1(normal) == 0 {
            return None;
        }
        let &i3 = candidates
            .iter()
            .max_by_key(|&&k| dot(normal, sub(p(k), p(i0))).abs())?;
        if dot(normal, sub(p(i3), p(i0))) == 0 {
            return None;
        }

        let simplex = [i0, i1, i2, i3];
        let mut faces: Vec<Face> = Vec::new();
        for (left_out, triple) in [
            (3, [0, 1, 2]),
            (2, [0, 1, 3]),
            (1, [0, 2, 3]),
            (0, [1, 2, 3]),
        ] {
            let mut v = triple.map(|t| simplex[t]);
            let mut face = Face::new(points, v);
            if face.height(points[simplex[left_out] as usize]) > 0 {
                v.swap(1, 2);
                face = Face::new(points, v);
            }
            faces.push(face);
        }
        let mut edges = std::collections::HashMap::<u64, u32>::new();
        for (f, face) in faces.iter().enumerate() {
            for (a, b) in face.edges() {
                edges.insert(edge_key(a, b), f as u32);
            }
        }
        for &k in &candidates {
            if simplex.contains(&k) {
                continue;
            }
            if let Some(face) = faces.iter_mut().find(|f| f.height(points[k as usize]) > 0) {
                face.outside.push(k);
            }
        }

        let mut stack: Vec<u32> = (0..faces.len() as u32).collect();
        let mut visible_mark: Vec<u32> = vec![0; faces.len()];
        let mut round = 0u32;
        let mut visible: Vec<u32> = Vec::new();
        let mut horizon: Vec<(u32, u32)> = Vec::new();
        while let Some(start) = stack.pop() {
            let start_face = &faces[start as usize];
            if !start_face.alive || start_face.outside.is_empty() {
                continue;
            }
            // The eye: the point farthest above the face (the height is the
            // distance times a constant of the face).
            let eye = *start_face
                .outside
                .iter()
                .max_by_key(|&&k| start_face.height(points[k as usize]))
                .expect("non-empty outside set");
            let eye_point = points[eye as usize];
            round += 1;

            // The faces the eye sees (strictly), a connected set found by
            // walking across edges from the starting face.
            visible.clear();
            visible.push(start);
            visible_mark[start as usize] = round;
            let mut next = 0;
            while next < visible.len() {
                let f = visible[next] as usize;
                next += 1;
                for (a, b) in faces[f].edges() {
                    let g = edges[&edge_key(b, a)];
                    if visible_mark[g as usize] != round && faces[g as usize].height(eye_point) > 0
                    {
                        visible_mark[g as usize] = round;
                        visible.push(g);
                    }
                }
            }

            // The horizon: edges of visible faces whose twin is not seen.
            horizon.clear();
            let mut orphans: Vec<u32> = Vec::new();
            for &f in &visible {
                let face = &mut faces[f as usize];
                face.alive = false;
                orphans.extend(face.outside.drain(..).filter(|&k| k != eye));
                for (a, b) in face.edges() {
                    let g = edges[&edge_key(b, a)];
                    if visible_mark[g as usize] != round {
                        horizon.push((a, b));
                    }
                }
            }
            for &f in &visible {
                for (a, b) in faces[f as usize].edges() {
                    edges.remove(&edge_key(a, b));
                }
            }

            // The cone of new faces from the horizon to the eye; each keeps
            // its horizon edge's direction, so it is outward like the rest.
            let first_new = faces.len();
            for &(a, b) in &horizon {
                let f = faces.len() as u32;
                let face = Face::new(points, [a, b, eye]);
                for (u, v) in face.edges() {
                    edges.insert(edge_key(u, v), f);
                }
                faces.push(face);
                visible_mark.push(0);
            }
            for k in orphans {
                let point = points[k as usize];
                if let Some(face) = faces[first_new..].iter_mut().find(|f| f.height(point) > 0) {
                    face.outside.push(k);
                }
            }
            for (f, face) in faces.iter().enumerate().skip(first_new) {
                if !face.outside.is_empty() {
                    stack.push(f as u32);
                }
            }
        }

        Some(ConvexHull {
            points: points.to_vec(),
            faces: faces.iter().filter(|f| f.alive).map(|f| f.v).collect(),
        })
    }

    /// The outward-oriented triangles, as indices into the input points.
    pub fn faces(&self) -> &[[u32; 3]] {
        &self.faces
    }

    /// The input points.
    pub fn points(&self) -> &[IntPoint] {
        &self.points
    }

    /// The indices of the points that are corners of the triangles, sorted
    /// (every hull vertex, possibly with points lying on a hull face).
    pub fn vertex_indices(&self) -> Vec<u32> {
        let mut indices: Vec<u32> = self.faces.iter().flatten().copied().collect();
        indices.sort_unstable();
        indices.dedup();
        indices
    }

    /// The hull's vertices scaled to physical units: coordinate `c` along
    /// axis `a` becomes `c · scale[a]`.
    pub fn scaled_vertices(&self, scale: [f64; 3]) -> Vec<[f64; 3]> {
        self.vertex_indices()
            .into_iter()
            .map(|k| scale_point(self.points[k as usize], scale))
            .collect()
    }

    /// Whether `p` lies in the hull (inside or on its boundary), exactly.
    pub fn contains(&self, p: IntPoint) -> bool {
        self.faces
            .iter()
            .all(|&v| Face::new(&self.points, v).height(p) <= 0)
    }

    /// The normals `(b − a) × (c − a)` of the triangles in integer units.
    pub fn integer_normals(&self) -> impl Iterator<Item = [i128; 3]> + '_ {
        self.faces
            .iter()
            .map(|&v| Face::new(&self.points, v).normal)
    }

    /// The enclosed volume with the axes scaled by `scale` (e.g. mm per
    /// half voxel): the sum of the signed tetrahedra `a · (b × c) / 6`
    /// over the outward triangles, as the mesh volume (IBSI 3.1.1), summed
    /// exactly in integers and scaled once.
    pub fn volume(&self, scale: [f64; 3]) -> f64 {
        let six_volume: i128 = self
            .faces
            .iter()
            .map(|&[a, b, c]| {
                let [a, b, c] = [a, b, c].map(|k| wide(self.points[k as usize]));
                dot(a, cross(b, c))
            })
            .sum();
        six_volume as f64 * (scale[0] * scale[1] * scale[2]) / 6.0
    }

    /// The surface area with the axes scaled by `scale`: the sum of the
    /// triangle areas `|ab × ac| / 2` (IBSI 3.1.3). Scaling the axes by
    /// `s` maps a normal `n` to `(s₁s₂n₀, s₀s₂n₁, s₀s₁n₂)`.
    pub fn area(&self, scale: [f64; 3]) -> f64 {
        let [s0, s1, s2] = scale;
        self.integer_normals()
            .map(|n| {
                let m = [
                    s1 * s2 * n[0] as f64,
                    s0 * s2 * n[1] as f64,
                    s0 * s1 * n[2] as f64,
                ];
                0.5 * (m[0] * m[0] + m[1] * m[1] + m[2] * m[2]).sqrt()
            })
            .sum()
    }
}

/// An integer point scaled per axis.
pub fn scale_point(p: IntPoint, scale: [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|a| p[a] as f64 * scale[a])
}

/// The edge lengths of the axis-aligned bounding box of `points` (IBSI
/// 3.1.17); zeros without points.
pub fn axis_aligned_box(points: &[[f64; 3]]) -> [f64; 3] {
    if points.is_empty() {
        return [0.0; 3];
    }
    [0, 1, 2].map(|a| {
        let (low, high) = points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                (l.min(p[a]), h.max(p[a]))
            });
        high - low
    })
}

/// The volume of a box with edge lengths `dims`.
pub fn box_volume(dims: [f64; 3]) -> f64 {
    dims[0] * dims[1] * dims[2]
}

/// The surface area of a box with edge lengths `dims`.
pub fn box_area(dims: [f64; 3]) -> f64 {
    2.0 * (dims[0] * dims[1] + dims[0] * dims[2] + dims[1] * dims[2])
}

fn dotf(u: [f64; 3], v: [f64; 3]) -> f64 {
    u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
}

fn crossf(u: [f64; 3], v: [f64; 3]) -> [f64; 3] {
    [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ]
}

fn normalised(u: [f64; 3]) -> Option<[f64; 3]> {
    let length = dotf(u, u).sqrt();
    (length > 0.0 && length.is_finite()).then(|| u.map(|c| c / length))
}

/// The convex hull of 2D points (Andrew's monotone chain), counter-
/// clockwise, collinear points dropped.
fn hull_2d(points: &mut [[f64; 2]]) -> Vec<[f64; 2]> {
    points.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let turn = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<[f64; 2]> = Vec::with_capacity(points.len() + 1);
    // The lower chain left to right, then the upper chain right to left.
    let chain = |p: [f64; 2], start: usize, hull: &mut Vec<[f64; 2]>| {
        while hull.len() >= start + 2 && turn(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
        {
            hull.pop();
        }
        hull.push(p);
    };
    for &p in points.iter() {
        chain(p, 0, &mut hull);
    }
    hull.pop();
    let start = hull.len();
    for &p in points.iter().rev() {
        chain(p, start, &mut hull);
    }
    hull.pop();
    hull
}

/// The smallest-area rectangle enclosing 2D points, as its two edge
/// lengths: one of its edges is flush with an edge of the points' convex
/// hull (Freeman & Shapira 1975), so every hull edge direction is tried.
fn min_area_rectangle(points: &mut [[f64; 2]]) -> [f64; 2] {
    let hull = hull_2d(points);
    if hull.len() < 3 {
        // Collinear: a segment (or a point); its length and no width.
        let length = match hull.as_slice() {
            [a, b] => ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt(),
            _ => 0.0,
        };
        return [length, 0.0];
    }
    let mut best = [f64::INFINITY, f64::INFINITY];
    for k in 0..hull.len() {
        let (a, b) = (hull[k], hull[(k + 1) % hull.len()]);
        let length = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
        if length == 0.0 {
            continue;
        }
        let (ux, uy) = ((b[0] - a[0]) / length, (b[1] - a[1]) / length);
        let (mut u_low, mut u_high, mut v_high) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
        for p in &hull {
            let (dx, dy) = (p[0] - a[0], p[1] - a[1]);
            let along = dx * ux + dy * uy;
            // The hull is counter-clockwise, so every point is left of
            // (or on) the edge line: the across-distance is ≥ 0.
            let across = ux * dy - uy * dx;
            u_low = u_low.min(along);
            u_high = u_high.max(along);
            v_high = v_high.max(across);
        }
        let dims = [u_high - u_low, v_high];
        if dims[0] * dims[1] < best[0] * best[1] {
            best = dims;
        }
    }
    best
}

/// An oriented bounding box of `points` of (approximately) minimum volume,
/// as its edge lengths, searched as IBSI 3.1.19 allows ("commonly
/// approximated"): for every candidate `axes` direction the points are
/// projected onto the plane normal to it and the smallest rectangle of the
/// projection is found exactly by rotating calipers over the projected
/// hull's edges, so the box has one face normal to that direction; the
/// smallest box over all directions is returned.
///
/// With the hull's face normals among the directions this is the smallest
/// box with a face flush with a hull face — the exact minimum whenever the
/// minimum box has such a face (O'Rourke 1985 shows it need only have two
/// adjacent faces each containing a hull edge, so in general it is an upper
/// bound). With the coordinate axes among the directions the result is
/// never larger than the axis-aligned box. Cost O(d · m²) for d directions
/// and m projected hull points.
pub fn oriented_minimum_box(points: &[[f64; 3]], axes: &[[f64; 3]]) -> [f64; 3] {
    if points.is_empty() {
        return [0.0; 3];
    }
    let mut best: Option<[f64; 3]> = None;
    let mut projected: Vec<[f64; 2]> = Vec::with_capacity(points.len());
    for &axis in axes {
        let Some(n) = normalised(axis) else { continue };
        // A unit vector not parallel to n, then the plane's basis.
        let helper = if n[0].abs() <= n[1].abs() && n[0].abs() <= n[2].abs() {
            [1.0, 0.0, 0.0]
        } else if n[1].abs() <= n[2].abs() {
            [0.0, 1.0, 0.0]
        } else {
            [0.0, 0.0, 1.0]
        };
        let Some(u) = normalised(crossf(n, helper)) else {
            continue;
        };
        let v = crossf(n, u);
        projected.clear();
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for &p in points {
            let h = dotf(p, n);
            low = low.min(h);
            high = high.max(h);
            projected.push([dotf(p, u), dotf(p, v)]);
        }
        let [w, d] = min_area_rectangle(&mut projected);
        let dims = [w, d, high - low];
        if best.is_none_or(|b| box_volume(dims) < box_volume(b)) {
            best = Some(dims);
        }
    }
    best.unwrap_or_else(|| axis_aligned_box(points))
}

/// An ellipsoid by its centre and semi-axis lengths, longest first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipsoid {
    /// The centre, in the points' coordinates.
    pub centre: [f64; 3],
    /// Semi-axis lengths `a ≥ b ≥ c`.
    pub semi_axes: [f64; 3],
}

impl Ellipsoid {
    /// Its volume `4π a b c / 3`.
    pub fn volume(&self) -> f64 {
        let [a, b, c] = self.semi_axes;
        4.0 * std::f64::consts::PI * a * b * c / 3.0
    }

    /// Its surface area by [`ellipsoid_area`] with the manual's 20 terms.
    pub fn area(&self) -> f64 {
        ellipsoid_area(self.semi_axes, ELLIPSOID_AREA_DEGREE)
    }
}

/// The degree at which IBSI 3.1.22 stops the Legendre series of an
/// ellipsoid's surface area ("by default, we stop the series after ν = 20").
pub const ELLIPSOID_AREA_DEGREE: usize = 20;

/// The surface area of an ellipsoid with semi-axes `a ≥ b ≥ c` (any order
/// is accepted and sorted) by the series of IBSI 3.1.22, the manual's
/// definition (and MIRP's), which the benchmark values need; it is exact
/// for a sphere but not for other ellipsoids (semi-axes 5, 4, 3 give 203.58
/// where the area is 199.46):
///
/// `A = 4π a b Σ_{ν=0}^{degree} (αβ)^ν / (1 − 4ν²) · P_ν((α² + β²) / (2αβ))`
///
/// with `α = √(1 − b²/a²)`, `β = √(1 − c²/a²)` and `P_ν` the Legendre
/// polynomials. The terms `Q_ν = (αβ)^ν P_ν(x)` are computed by Bonnet's
/// recurrence multiplied through by `(αβ)^{ν+1}`,
/// `(ν+1) Q_{ν+1} = (2ν+1) s Q_ν − ν t Q_{ν−1}` with `s = (α² + β²)/2` and
/// `t = α²β²`, which needs no division by `αβ` and so also holds for
/// spheroids (`α = β`, or `α = 0`) and spheres (`4πa²`).
pub fn ellipsoid_area(semi_axes: [f64; 3], degree: usize) -> f64 {
    let mut axes = semi_axes;
    axes.sort_by(|x, y| y.total_cmp(x));
    let [a, b, c] = axes;
    if a <= 0.0 {
        return 0.0;
    }
    let alpha2 = (1.0 - (b / a).powi(2)).max(0.0);
    let beta2 = (1.0 - (c / a).powi(2)).max(0.0);
    let s = 0.5 * (alpha2 + beta2);
    let t = alpha2 * beta2;
    let (mut previous, mut current) = (1.0, s); // Q₀, Q₁
    let mut sum = 1.0; // Q₀ / (1 − 0)
    for nu in 1..=degree {
        let nu_f = nu as f64;
        sum += current / (1.0 - 4.0 * nu_f * nu_f);
        let next = ((2.0 * nu_f + 1.0) * s * current - nu_f * t * previous) / (nu_f + 1.0);
        previous = current;
        current = next;
    }
    4.0 * std::f64::consts::PI * a * b * sum
}

/// The tolerance IBSI 3.1.23 sets for Khachiyan's algorithm ("a default
/// tolerance τ = 0.001 as stopping criterion").
pub const MVEE_TOLERANCE: f64 = 0.001;

/// The most iterations [`minimum_volume_enclosing_ellipsoid`] takes.
pub const MVEE_MAX_ITERATIONS: usize = 100_000;

/// The minimum volume enclosing ellipsoid of `points` by Khachiyan's
/// barycentric coordinate ascent (Khachiyan 1996; as in Todd & Yıldırım
/// 2007 without away steps), stopped when the weights change by less than
/// `tolerance` in the Euclidean norm (IBSI 3.1.23 uses 0.001) or after
/// [`MVEE_MAX_ITERATIONS`].
///
/// With weights `u` on the lifted points `q = (p, 1)`, each step moves
/// weight to the point of largest `M_j = q_jᵀ (Σ u q qᵀ)⁻¹ q_j` by
/// `(M_j − 4) / (4 (M_j − 1))`. The ellipsoid is then centred at
/// `c = Σ u p` with shape `S = Σ u p pᵀ − c cᵀ`, and its semi-axes are
/// `√(3 λ)` for the eigenvalues `λ` of `S`. At a finite tolerance the
/// ellipsoid is an approximation: it may leave points marginally outside
/// and is slightly larger or smaller than the true minimum.
///
/// `None` without four points spanning a volume. Each iteration costs O(n):
/// `(Σ u q qᵀ)⁻¹` and the `M_i` follow the rank-one change of the weights
/// by the Sherman–Morrison formula, recomputed from scratch every 64
/// iterations.
pub fn minimum_volume_enclosing_ellipsoid(
    points: &[[f64; 3]],
    tolerance: f64,
) -> Option<Ellipsoid> {
    let n = points.len();
    if n < 4 {
        return None;
    }
    // Centre for conditioning; shift back at the end.
    let mean = [0, 1, 2].map(|a| points.iter().map(|p| p[a]).sum::<f64>() / n as f64);
    let centred: Vec<[f64; 3]> = points
        .iter()
        .map(|p| [p[0] - mean[0], p[1] - mean[1], p[2] - mean[2]])
        .collect();
    let lifted: Vec<nalgebra::Vector4<f64>> = centred
        .iter()
        .map(|p| nalgebra::Vector4::new(p[0], p[1], p[2], 1.0))
        .collect();
    // `(Σ u q qᵀ)⁻¹` and every `M_i`, from scratch.
    let refresh = |u: &[f64], m: &mut [f64]| -> Option<nalgebra::Matrix4<f64>> {
        let mut x = nalgebra::Matrix4::<f64>::zeros();
        for (q, &w) in lifted.iter().zip(u) {
            x += w * q * q.transpose();
        }
        let x_inverse = x.try_inverse()?;
        for (q, mi) in lifted.iter().zip(m.iter_mut()) {
            *mi = q.dot(&(x_inverse * q));
        }
        Some(x_inverse)
    };
    let mut u = vec![1.0 / n as f64; n];
    let mut m = vec![0.0; n];
    let mut x_inverse = refresh(&u, &mut m)?;
    for iteration in 1..=MVEE_MAX_ITERATIONS {
        let (j, &largest) = m
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .expect("points");
        let step = (largest - 4.0) / (4.0 * (largest - 1.0));
        if !step.is_finite() || !(0.0..1.0).contains(&step) {
            return None;
        }
        let mut change = 0.0;
        for (k, w) in u.iter_mut().enumerate() {
            let updated = (1.0 - step) * *w + if k == j { step } else { 0.0 };
            change += (updated - *w) * (updated - *w);
            *w = updated;
        }
        if change.sqrt() < tolerance {
            break;
        }
        // X ← (1 − s) X + s q_j q_jᵀ: Sherman–Morrison updates X⁻¹ and
        // every M_i in O(n), refreshed from scratch now and then against
        // drift.
        if iteration % 64 == 0 {
            x_inverse = refresh(&u, &mut m)?;
            continue;
        }
        let v = x_inverse * lifted[j];
        let c = step / (1.0 - step);
        let denominator = 1.0 + c * largest;
        for (q, mi) in lifted.iter().zip(m.iter_mut()) {
            let a = q.dot(&v);
            *mi = (*mi - c * a * a / denominator) / (1.0 - step);
        }
        x_inverse = (x_inverse - (c / denominator) * v * v.transpose()) / (1.0 - step);
    }
    let centre = [0, 1, 2].map(|a| centred.iter().zip(&u).map(|(p, w)| w * p[a]).sum::<f64>());
    let mut shape = Matrix3::<f64>::zeros();
    for (p, &w) in centred.iter().zip(&u) {
        for r in 0..3 {
            for c in 0..3 {
                shape[(r, c)] += w * p[r] * p[c];
            }
        }
    }
    for r in 0..3 {
        for c in 0..3 {
            shape[(r, c)] -= centre[r] * centre[c];
        }
    }
    let mut semi_axes: [f64; 3] = {
        let values = shape.symmetric_eigenvalues();
        [0, 1, 2].map(|k| (3.0 * values[k].max(0.0)).sqrt())
    };
    semi_axes.sort_by(|a, b| b.total_cmp(a));
    if semi_axes[2] <= 0.0 {
        return None;
    }
    Some(Ellipsoid {
        centre: [0, 1, 2].map(|a| centre[a] + mean[a]),
        semi_axes,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1.0)
    }

    fn cube_corners(side: i64) -> Vec<IntPoint> {
        let mut corners = Vec::new();
        for z in [0, side] {
            for y in [0, side] {
                for x in [0, side] {
                    corners.push([z, y, x]);
                }
            }
        }
        corners
    }

    /// Every directed edge has its twin: the triangles close up.
    fn is_closed(hull: &ConvexHull) -> bool {
        let mut edges = std::collections::HashSet::new();
        for &[a, b, c] in hull.faces() {
            for e in [(a, b), (b, c), (c, a)] {
                if !edges.insert(e) {
                    return false;
                }
            }
        }
        edges.iter().all(|&(a, b)| edges.contains(&(b, a)))
    }

    #[test]
    fn hull_of_a_cube_has_its_volume_and_area() {
        let hull = ConvexHull::new(&cube_corners(2)).unwrap();
        assert_eq!(hull.volume([1.0; 3]), 8.0);
        assert!(close(hull.area([1.0; 3]), 24.0, 1e-14));
        assert_eq!(hull.faces().len(), 12);
        assert_eq!(hull.vertex_indices().len(), 8);
        assert!(is_closed(&hull));
        // Anisotropic scaling: a 2 × 4 × 6 box.
        assert_eq!(hull.volume([1.0, 2.0, 3.0]), 48.0);
        assert!(close(
            hull.area([1.0, 2.0, 3.0]),
            2.0 * (8.0 + 12.0 + 24.0),
            1e-14
        ));
    }

    #[test]
    fn interior_coplanar_and_duplicate_points_change_nothing() {
        let mut points = cube_corners(4);
        // Interior points.
        points.extend([[2, 2, 2], [1, 1, 1], [3, 2, 1]]);
        // Points on faces and edges (coplanar with hull faces), and
        // duplicates of corners.
        for a in 0..=4 {
            for b in 0..=4 {
                points.extend([[0, a, b], [4, a, b], [a, 0, b], [a, b, 4]]);
            }
        }
        points.extend(cube_corners(4));
        // Shuffle deterministically so the simplex and eyes vary.
        let n = points.len();
        for k in 0..n {
            points.swap(k, (k * 7919 + 13) % n);
        }
        let hull = ConvexHull::new(&points).unwrap();
        assert_eq!(hull.volume([1.0; 3]), 64.0);
        assert!(close(hull.area([1.0; 3]), 96.0, 1e-13));
        assert!(is_closed(&hull));
        for &p in &points {
            assert!(hull.contains(p), "{p:?}");
        }
        assert!(!hull.contains([5, 2, 2]) && !hull.contains([2, -1, 2]));
    }

    #[test]
    fn degenerate_point_sets_have_no_hull() {
        assert!(ConvexHull::new(&[]).is_none());
        assert!(ConvexHull::new(&[[1, 2, 3]; 5]).is_none());
        // Collinear, then coplanar.
        assert!(ConvexHull::new(&[[0, 0, 0], [1, 1, 1], [3, 3, 3], [2, 2, 2]]).is_none());
        assert!(ConvexHull::new(&[[0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 5, 7]]).is_none());
        assert!(ConvexHull::new(&[[0, 0, 0], [0, 0, 1 << 29], [0, 1, 0], [1, 0, 0]]).is_none());
        // A tetrahedron: volume 1/6.
        let tetra = ConvexHull::new(&[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]).unwrap();
        assert!(close(tetra.volume([1.0; 3]), 1.0 / 6.0, 1e-15));
    }

    #[test]
    fn hull_of_an_octahedron_and_a_sphere() {
        let r = 1000;
        let octahedron = [
            [r, 0, 0],
            [-r, 0, 0],
            [0, r, 0],
            [0, -r, 0],
            [0, 0, r],
            [0, 0, -r],
        ];
        let hull = ConvexHull::new(&octahedron).unwrap();
        assert!(close(hull.volume([1.0; 3]), 4.0 / 3.0 * 1e9, 1e-15));
        assert_eq!(hull.faces().len(), 8);
        // Lattice points of a ball: the hull volume approaches 4π r³ / 3.
        let r = 30i64;
        let mut ball = Vec::new();
        for z in -r..=r {
            for y in -r..=r {
                for x in -r..=r {
                    if x * x + y * y + z * z <= r * r {
                        ball.push([z, y, x]);
                    }
                }
            }
        }
        let hull = ConvexHull::new(&ball).unwrap();
        let sphere = 4.0 / 3.0 * std::f64::consts::PI * (r as f64).powi(3);
        let volume = hull.volume([1.0; 3]);
        assert!(
            volume < sphere && volume > 0.97 * sphere,
            "{volume} {sphere}"
        );
        assert!(is_closed(&hull));
    }

    #[test]
    fn minimum_rectangle_of_a_rotated_rectangle() {
        // A 3 × 1 rectangle rotated by 30°.
        let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
        let mut points: Vec<[f64; 2]> =
            [[0.0, 0.0], [3.0, 0.0], [3.0, 1.0], [0.0, 1.0], [1.5, 0.5]]
                .iter()
                .map(|p| [c * p[0] - s * p[1], s * p[0] + c * p[1]])
                .collect();
        let [w, h] = min_area_rectangle(&mut points);
        assert!(close(w * h, 3.0, 1e-12), "{w} {h}");
    }

    #[test]
    fn oriented_box_of_a_rotated_box_is_found_from_hull_normals() {
        // A 2 × 4 × 8 box rotated about two axes: the AABB is larger, the
        // face normals recover the box.
        let rotate = |p: [f64; 3]| {
            let (c, s) = (0.6f64.cos(), 0.6f64.sin());
            let q = [p[0], c * p[1] - s * p[2], s * p[1] + c * p[2]];
            let (c, s) = (0.3f64.cos(), 0.3f64.sin());
            [c * q[0] - s * q[1], s * q[0] + c * q[1], q[2]]
        };
        let mut corners = Vec::new();
        for z in [0.0, 2.0] {
            for y in [0.0, 4.0] {
                for x in [0.0, 8.0] {
                    corners.push(rotate([z, y, x]));
                }
            }
        }
        let normals = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]].map(rotate);
        let dims = oriented_minimum_box(&corners, &normals);
        assert!(close(box_volume(dims), 64.0, 1e-12), "{dims:?}");
        assert!(close(box_area(dims), 2.0 * (8.0 + 16.0 + 32.0), 1e-12));
        assert!(box_volume(axis_aligned_box(&corners)) > 64.0 * 1.5);
    }

    #[test]
    fn ellipsoid_area_series() {
        let pi = std::f64::consts::PI;
        // A sphere, exactly.
        assert!(close(ellipsoid_area([3.0; 3], 20), 4.0 * pi * 9.0, 1e-15));
        // The manual's series as numpy evaluates it term by term
        // (`4π a b legval(x, (αβ)^ν / (1 − 4ν²))`, ν ≤ 20), in any order of
        // the axes.
        assert!(close(
            ellipsoid_area([5.0, 4.0, 3.0], 20),
            203.58275206468838,
            1e-13
        ));
        assert!(close(
            ellipsoid_area([1.0, 3.0, 2.0], 20),
            52.81348101202416,
            1e-13
        ));
        assert!(close(
            ellipsoid_area([2.0, 1.0, 1.0], 20),
            17.343874354675417,
            1e-13
        ));
        // The recurrence has no 0/0 for oblate spheroids (α = 0), where
        // numpy's evaluation gives NaN: continuous with nearby ellipsoids.
        let oblate = ellipsoid_area([2.0, 2.0, 1.0], 20);
        assert!(oblate.is_finite() && close(oblate, ellipsoid_area([2.0, 1.9999, 1.0], 20), 1e-3));
        // The series is the manual's definition, not the exact area of an
        // ellipsoid: numerical integration gives 199.455 for (5, 4, 3) and
        // 21.478 for the prolate spheroid (2, 1, 1), 2πb²(1 + a asin(e)/(b e)).
        let e = 0.75f64.sqrt();
        let prolate = 2.0 * pi * (1.0 + 2.0 / e * e.asin());
        assert!((prolate - 21.4784).abs() < 1e-3, "{prolate}");
        assert!((ellipsoid_area([2.0, 1.0, 1.0], 20) - prolate).abs() > 4.0);
    }

    #[test]
    fn mvee_of_points_on_a_sphere_is_the_sphere() {
        // Points on a sphere of radius 5 around (1, 2, 3), golden spiral.
        let n = 400;
        let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
        let points: Vec<[f64; 3]> = (0..n)
            .map(|k| {
                let z = 1.0 - 2.0 * (k as f64 + 0.5) / n as f64;
                let r = (1.0 - z * z).sqrt();
                let phi = golden * k as f64;
                [
                    1.0 + 5.0 * r * phi.cos(),
                    2.0 + 5.0 * r * phi.sin(),
                    3.0 + 5.0 * z,
                ]
            })
            .collect();
        let ellipsoid = minimum_volume_enclosing_ellipsoid(&points, 1e-4).unwrap();
        for (a, want) in ellipsoid.semi_axes.iter().zip([5.0; 3]) {
            assert!(close(*a, want, 5e-3), "{:?}", ellipsoid);
        }
        for (c, want) in ellipsoid.centre.iter().zip([1.0, 2.0, 3.0]) {
            assert!((c - want).abs() < 1e-2, "{:?}", ellipsoid);
        }
        // The manual's tolerance gives a coarser, still close, sphere.
        let coarse = minimum_volume_enclosing_ellipsoid(&points, MVEE_TOLERANCE).unwrap();
        for a in coarse.semi_axes {
            assert!((a - 5.0).abs() < 0.1, "{coarse:?}");
        }
        // The corners of a box: by affine invariance from the cube, whose
        // corners' MVEE is the circumscribed sphere, the semi-axes are √3
        // times the half edges.
        let mut corners = Vec::new();
        for z in [-1.0, 1.0] {
            for y in [-2.0, 2.0] {
                for x in [-3.0, 3.0] {
                    corners.push([z, y, x]);
                }
            }
        }
        let box_ellipsoid = minimum_volume_enclosing_ellipsoid(&corners, 1e-7).unwrap();
        let want = [3.0, 2.0, 1.0].map(|h: f64| h * 3f64.sqrt());
        for (a, w) in box_ellipsoid.semi_axes.iter().zip(want) {
            assert!(close(*a, w, 1e-5), "{box_ellipsoid:?}");
        }
        assert!(minimum_volume_enclosing_ellipsoid(&corners[..3], 1e-3).is_none());
        let flat = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [1.0, 1.0, 0.0],
        ];
        assert!(minimum_volume_enclosing_ellipsoid(&flat, 1e-3).is_none());
    }

    fn brute_force_inside(points: &[IntPoint], hull: &ConvexHull) -> bool {
        points.iter().all(|&p| hull.contains(p))
    }

    proptest! {
        #[test]
        fn hull_contains_every_point_and_is_closed(
            points in prop::collection::vec([-6i64..6, -6i64..6, -6i64..6], 4..80),
        ) {
            if let Some(hull) = ConvexHull::new(&points) {
                prop_assert!(brute_force_inside(&points, &hull));
                prop_assert!(is_closed(&hull));
                prop_assert!(hull.volume([1.0; 3]) > 0.0);
                // Every hull corner is an input point, and the volume does
                // not depend on the order of the points.
                let mut reversed = points.clone();
                reversed.reverse();
                let again = ConvexHull::new(&reversed).unwrap();
                prop_assert_eq!(again.volume([1.0; 3]), hull.volume([1.0; 3]));
                prop_assert!(close(again.area([1.0; 3]), hull.area([1.0; 3]), 1e-12));
            }
        }

        #[test]
        fn boxes_are_ordered_aabb_ombb_hull(
            points in prop::collection::vec([-20i64..20, -20i64..20, -20i64..20], 4..60),
            scale in [0.2f64..3.0, 0.2f64..3.0, 0.2f64..3.0],
        ) {
            if let Some(hull) = ConvexHull::new(&points) {
                let vertices = hull.scaled_vertices(scale);
                let scaled_normal = |n: [i128; 3]| {
                    [
                        scale[1] * scale[2] * n[0] as f64,
                        scale[0] * scale[2] * n[1] as f64,
                        scale[0] * scale[1] * n[2] as f64,
                    ]
                };
                let mut axes: Vec<[f64; 3]> = hull.integer_normals().map(scaled_normal).collect();
                axes.extend([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
                let aabb = box_volume(axis_aligned_box(&vertices));
                let ombb = box_volume(oriented_minimum_box(&vertices, &axes));
                let volume = hull.volume(scale);
                prop_assert!(aabb >= ombb * (1.0 - 1e-12), "{} {}", aabb, ombb);
                prop_assert!(ombb >= volume * (1.0 - 1e-9), "{} {}", ombb, volume);
            }
        }
    }
}
