//! The IBSI mode's benchmark: the digital phantom, a CT case of the IBSI
//! CT phantom's size under configuration C, and the heavy families on
//! large ROIs. Not a test: it asserts nothing and prints one JSON line per
//! measurement (median of the repeats).
//!
//! ```text
//! cargo bench --bench ibsi -- phantom [--repeats R]
//! cargo bench --bench ibsi -- ct-config-c [--threads N] [--repeats R]
//! cargo bench --bench ibsi -- texture-large | moran
//! ```

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::Array3;
use radcohort::imaging::{Geometry, PixelType, Volume};
use radcohort::radiomics::extractor::{CaseFiles, extract};
use radcohort::radiomics::ibsi::IbsiRoi;
use radcohort::radiomics::ibsi::morphology::moran_geary;
use radcohort::radiomics::ibsi::texture::{TextureFamily, TextureSettings, texture_features};
use radcohort::radiomics::params::Params;

fn main() {
    if let Err(err) = run() {
        eprintln!("bench: {err}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args = common::arguments();
    let repeats: usize = common::option(&args, "--repeats").unwrap_or(5).max(1);
    let threads: usize = common::option(&args, "--threads").unwrap_or(2);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| e.to_string())?;
    match args.first().map(String::as_str) {
        Some("phantom") => phantom(repeats),
        Some("ct-config-c") => ct_config_c(repeats, threads),
        Some("texture-large") => texture_large(),
        Some("moran") => moran(),
        other => Err(format!(
            "which case? phantom, ct-config-c, texture-large or moran (got {other:?})"
        )),
    }
}

fn reference() -> PathBuf {
    std::env::var_os("RADCOHORT_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"))
}

/// Reading the phantom's files and every family, in process.
fn phantom(repeats: usize) -> Result<(), String> {
    let folder = reference().join("ibsi/digital_phantom");
    let params = Params::from_yaml("setting:\n  mode: ibsi\n  binWidth: 1\n", "phantom", &[])
        .map_err(|e| e.to_string())?;
    let mut seconds = Vec::new();
    let mut count = 0;
    for _ in 0..repeats {
        let started = Instant::now();
        let files = CaseFiles::read(&folder.join("phantom.nii.gz"), &folder.join("mask.nii.gz"))
            .map_err(|e| e.to_string())?;
        let extraction = files.extract(&params).map_err(|e| e.to_string())?;
        seconds.push(started.elapsed().as_secs_f64());
        count = extraction.features.len();
    }
    println!(
        "{{\"case\": \"phantom\", \"features\": {count}, \"seconds\": {}}}",
        common::median(&mut seconds)
    );
    Ok(())
}

/// A CT case the size of the IBSI CT phantom (204 × 201 × 60 voxels of
/// 0.977 × 0.977 × 3 mm) with a 16 mm-radius lesion, extracted with
/// `params/ibsi_config_c.yaml` (3D, 2 mm trilinear, [-1000, 400] HU, 25 HU
/// bins).
fn ct_config_c(repeats: usize, threads: usize) -> Result<(), String> {
    let geometry = Geometry {
        dims: [204, 201, 60],
        spacing: [0.977, 0.977, 3.0],
        origin: [0.0; 3],
        direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    };
    let centre = [102.0, 100.0, 30.0];
    let inside = |x: usize, y: usize, z: usize| {
        let d: f64 = [x, y, z]
            .iter()
            .zip(centre)
            .zip(geometry.spacing)
            .map(|((&i, c), s)| ((i as f64 - c) * s).powi(2))
            .sum();
        d.sqrt() < 16.0
    };
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let image = Array3::from_shape_fn((60, 201, 204), |(z, y, x)| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 61) as f64 - 30.0;
        if inside(x, y, z) {
            30.0 + noise
        } else {
            -700.0 + 4.0 * noise
        }
    });
    let mask = Array3::from_shape_fn((60, 201, 204), |(z, y, x)| {
        f64::from(u8::from(inside(x, y, z)))
    });
    let volume = |data| Volume {
        data,
        geometry: geometry.clone(),
        pixel_type: PixelType::I16,
    };
    let (image, mask) = (volume(image), volume(mask));
    let params =
        Params::from_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("params/ibsi_config_c.yaml"))
            .map_err(|e| e.to_string())?;
    let mut seconds = Vec::new();
    let mut count = 0;
    for _ in 0..repeats {
        let started = Instant::now();
        let extraction = extract(&image, &mask, &params).map_err(|e| e.to_string())?;
        seconds.push(started.elapsed().as_secs_f64());
        count = extraction.features.len();
    }
    let voxels = mask.data.iter().filter(|&&v| v > 0.0).count();
    println!(
        "{{\"case\": \"ct-config-c\", \"roi_voxels\": {voxels}, \"features\": {count}, \"threads\": {threads}, \"seconds\": {}}}",
        common::median(&mut seconds)
    );
    Ok(())
}

/// Every texture family on a 512 × 512 × 100 ROI with 32 grey levels.
fn texture_large() -> Result<(), String> {
    let (nz, ny, nx) = (100, 512, 512);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let levels = Array3::from_shape_fn((nz, ny, nx), |(z, y, x)| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let smooth = ((x / 16 + y / 16 + z / 8) % 24) as u64;
        (1 + (smooth + state % 9) % 32) as u32
    });
    let roi = IbsiRoi {
        intensity: levels.mapv(f64::from),
        intensity_mask: Array3::from_elem((nz, ny, nx), true),
        morphological_mask: Array3::from_elem((nz, ny, nx), true),
        spacing: [1.0; 3],
        levels,
        n_levels: 32,
    };
    for family in TextureFamily::ALL {
        let settings = TextureSettings {
            families: vec![family],
            ..TextureSettings::default()
        };
        let started = Instant::now();
        let features = texture_features(&roi, &settings);
        println!(
            "{{\"case\": \"texture-large\", \"family\": \"{family:?}\", \"features\": {}, \"seconds\": {}}}",
            features.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Moran's I and Geary's C exactly over the pairs of about 10⁵ voxels (a
/// ball of radius 29 voxels).
fn moran() -> Result<(), String> {
    let r = 29i64;
    let (mut indices, mut values) = (Vec::new(), Vec::new());
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for z in -r..=r {
        for y in -r..=r {
            for x in -r..=r {
                if x * x + y * y + z * z <= r * r {
                    indices.push([z + r, y + r, x + r].map(|c| c as usize));
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    values.push((state % 1000) as f64 + (x + y) as f64 * 10.0);
                }
            }
        }
    }
    let started = Instant::now();
    let (i, c) = moran_geary(&indices, &values, [1.0, 0.8, 0.8]);
    println!(
        "{{\"case\": \"moran\", \"voxels\": {}, \"moran_i\": {i}, \"geary_c\": {c}, \"seconds\": {}}}",
        indices.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
