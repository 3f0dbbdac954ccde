akta_kematian-title = Akta Kematian
akta_kematian-intro =
    Baik, Bapak/Ibu. Kami turut berduka cita.
    Pembuatan akta kematian tidak dipungut biaya. Sebelum mulai, mohon siapkan:
    - foto surat keterangan kematian dari rumah sakit, puskesmas, atau kepala desa/lurah
    - NIK dan nomor Kartu Keluarga almarhum/almarhumah
    - NIK Bapak/Ibu sebagai pelapor
akta_kematian-nik_almarhum =
    Mohon ketik NIK almarhum/almarhumah (16 angka). NIK tertulis di KTP-el atau KK.
    Contoh: *6409011708900001*.
    .label = NIK almarhum/almarhumah
akta_kematian-nama_almarhum = Mohon ketik nama lengkap almarhum/almarhumah sesuai Kartu Keluarga.
    .label = Nama almarhum/almarhumah
akta_kematian-tanggal_meninggal = Mohon ketik tanggal meninggal dengan urutan tanggal-bulan-tahun. Contoh: *20-10-2026*.
    .label = Tanggal meninggal
akta_kematian-tempat_meninggal =
    Mohon ketik tempat meninggal, misalnya nama rumah sakit atau alamat rumah.
    Contoh: *Rumah, Desa Babulu Darat*.
    .label = Tempat meninggal
akta_kematian-no_kk = Mohon ketik nomor Kartu Keluarga almarhum/almarhumah (16 angka). Contoh: *6409012005150003*.
    .label = Nomor KK
akta_kematian-surat_kematian =
    Mohon kirim foto surat keterangan kematian dari rumah sakit, puskesmas, atau kepala desa/lurah.
    Pastikan seluruh surat terlihat dan tulisannya jelas terbaca.
    .label = Surat keterangan kematian
akta_kematian-nik_pelapor = Mohon ketik NIK Bapak/Ibu sebagai pelapor (16 angka).
    .label = NIK pelapor
akta_kematian-hubungan = Bapak/Ibu adalah siapa bagi almarhum/almarhumah? Mohon ketik nomor pilihan.
    .label = Hubungan pelapor
akta_kematian-hubungan-suami_istri = Suami atau istri almarhum/almarhumah
akta_kematian-hubungan-anak = Anak almarhum/almarhumah
akta_kematian-hubungan-orang_tua = Orang tua almarhum/almarhumah
akta_kematian-hubungan-saudara = Saudara kandung almarhum/almarhumah
akta_kematian-hubungan-lainnya = Lainnya (kerabat, tetangga, atau ketua RT)
akta_kematian-ringkasan = Mohon periksa kembali data permohonan akta kematian berikut:
