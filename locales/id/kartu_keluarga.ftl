kartu_keluarga-title = Kartu Keluarga (KK)
kartu_keluarga-intro =
    Baik, Bapak/Ibu. Layanan Kartu Keluarga tidak dipungut biaya.
    Sebelum mulai, mohon siapkan foto yang jelas dari KK yang sekarang dan dokumen pendukung sesuai keperluan:
    - perubahan data: bukti perubahan, misalnya ijazah, buku nikah, atau akta
    - tambah anggota: akta kelahiran anak, buku nikah, atau surat keterangan pindah (SKPWNI)
    - kurang anggota: akta kematian, akta cerai, atau surat keterangan pindah (SKPWNI)
    - pisah KK: buku nikah atau akta perkawinan, atau akta cerai
    - KK hilang: surat keterangan kehilangan dari kepolisian; KK rusak: KK yang rusak
    KK baru dikirim dalam bentuk PDF bertanda tangan elektronik dan dapat dicetak sendiri.
kartu_keluarga-jenis = Apa keperluan Bapak/Ibu untuk Kartu Keluarga? Mohon ketik nomor pilihan.
    .label = Keperluan
kartu_keluarga-jenis-perubahan_data = Perubahan data (nama, agama, pendidikan, status, dan lain-lain)
kartu_keluarga-jenis-tambah_anggota = Tambah anggota keluarga (misalnya anak yang baru lahir)
kartu_keluarga-jenis-kurang_anggota = Kurangi anggota keluarga (meninggal, pindah, atau cerai)
kartu_keluarga-jenis-pisah_kk = Pisah KK (membuat KK sendiri)
kartu_keluarga-jenis-hilang_rusak = KK hilang atau rusak
kartu_keluarga-nik = Mohon ketik NIK Bapak/Ibu sebagai pemohon (16 angka). Contoh: *6409011708900001*.
    .label = NIK pemohon
kartu_keluarga-no_kk = Mohon ketik nomor Kartu Keluarga yang sekarang (16 angka). Contoh: *6409012005150003*.
    .label = Nomor KK
kartu_keluarga-nik_anggota =
    Mohon ketik NIK anggota keluarga yang ditambah, dikurangi, diubah datanya, atau yang pisah KK (16 angka).
    Bila anggota tersebut belum punya NIK (misalnya bayi baru lahir), atau yang berubah adalah data Bapak/Ibu sendiri, ketik *lewati*.
    .label = NIK anggota keluarga
kartu_keluarga-dokumen_perubahan =
    Mohon kirim bukti perubahan data, misalnya ijazah, buku nikah, atau akta.
    Boleh berupa foto yang jelas atau file PDF.
    .label = Bukti perubahan data
kartu_keluarga-dokumen_tambah =
    Mohon kirim dokumen anggota yang ditambahkan: akta kelahiran anak, buku nikah, atau surat keterangan pindah (SKPWNI), sesuai keadaan.
    Boleh berupa foto yang jelas atau file PDF.
    .label = Dokumen anggota baru
kartu_keluarga-dokumen_kurang =
    Mohon kirim dokumen anggota yang dikurangi: akta kematian, akta cerai, atau surat keterangan pindah (SKPWNI), sesuai keadaan.
    Boleh berupa foto yang jelas atau file PDF.
    .label = Dokumen pengurangan anggota
kartu_keluarga-dokumen_pisah =
    Mohon kirim buku nikah atau akta perkawinan. Bila pisah KK karena perceraian, kirim akta cerai.
    Boleh berupa foto yang jelas atau file PDF.
    .label = Dokumen pisah KK
kartu_keluarga-dokumen_hilang_rusak =
    Bila KK hilang, mohon kirim foto surat keterangan kehilangan dari kepolisian.
    Bila KK rusak, mohon kirim foto KK yang rusak tersebut.
    Pastikan foto jelas dan tulisannya terbaca.
    .label = Surat kehilangan atau KK rusak
kartu_keluarga-foto_kk_lama =
    Mohon kirim foto Kartu Keluarga yang sekarang.
    Pastikan seluruh halaman terlihat dan tulisannya jelas terbaca.
    .label = Foto KK lama
kartu_keluarga-email =
    KK baru akan dikirim dalam bentuk PDF. Mohon ketik alamat email Bapak/Ibu. Contoh: *budi@gmail.com*.
    Bila tidak punya email, ketik *lewati*; KK dapat diambil di kantor.
    .label = Email
kartu_keluarga-ringkasan = Mohon periksa kembali data permohonan Kartu Keluarga berikut:
