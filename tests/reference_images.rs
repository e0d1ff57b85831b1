//! Real-world NIfTI files from the shared reference data — the IBSI digital
//! phantom and PyRadiomics' test cases — read and import as image/mask
//! pairs.

mod common;

use common::TestStudy;
use radcohort::imaging::{GeometryTolerance, read_header};
use radcohort::study::import::ImportKind;

#[test]
fn reference_image_and_mask_pairs_share_their_geometry() {
    let Some(reference) =
        common::reference_dir("reference_image_and_mask_pairs_share_their_geometry")
    else {
        return;
    };
    let pairs = [
        (
            "ibsi/digital_phantom/phantom.nii.gz",
            "ibsi/digital_phantom/mask.nii.gz",
            [5, 4, 4],
        ),
        (
            "pyradiomics/cases/brain1_image.nii.gz",
            "pyradiomics/cases/brain1_label.nii.gz",
            [256, 256, 25],
        ),
        (
            "pyradiomics/cases/breast1_image.nii.gz",
            "pyradiomics/cases/breast1_label.nii.gz",
            [45, 120, 21],
        ),
        (
            "pyradiomics/cases/lung1_image.nii.gz",
            "pyradiomics/cases/lung1_label.nii.gz",
            [512, 512, 48],
        ),
    ];
    for (image, mask, dims) in pairs {
        let image = read_header(&reference.join(image)).unwrap();
        let mask = read_header(&reference.join(mask)).unwrap();
        assert_eq!(image.geometry.dims, dims);
        assert!(
            image
                .geometry
                .mismatches(&mask.geometry, GeometryTolerance::default())
                .is_empty(),
            "{:?} vs {:?}",
            image.geometry,
            mask.geometry
        );
    }
}

#[test]
fn the_ibsi_phantom_imports_as_an_image_with_its_mask() {
    let Some(reference) =
        common::reference_dir("the_ibsi_phantom_imports_as_an_image_with_its_mask")
    else {
        return;
    };
    let mut study = TestStudy::new();
    study.accept(ImportKind::Patients, "study_id\nPHANTOM\n");
    let folder = reference
        .join("ibsi/digital_phantom")
        .canonicalize()
        .unwrap();
    let csv = format!(
        "study_id,series,kind,b_value,path,mask_of,label\n\
         PHANTOM,image,other,,{0}/phantom.nii.gz,,\n\
         PHANTOM,roi,mask,,{0}/mask.nii.gz,image,1\n",
        folder.display()
    );
    study.accept(ImportKind::Imaging, &csv);
    let record = study.db.load_record("PHANTOM").unwrap().unwrap();
    let mask = &record.imaging[1];
    assert_eq!(mask.geometry.dims, [5, 4, 4]);
    // Outside the study folder, so stored as an absolute path.
    assert!(mask.path.starts_with('/'), "{}", mask.path);
}
