ktp_el-title = KTP-el
ktp_el-intro =
    Baik, Bapak/Ibu. Layanan KTP-el tidak dipungut biaya.
    Sebelum mulai, mohon siapkan foto yang jelas dari:
    - Kartu Keluarga (KK)
    - KTP-el yang rusak, bila KTP-el rusak
    - surat keterangan kehilangan dari kepolisian, bila KTP-el hilang
    - dokumen bukti perubahan (misalnya buku nikah, ijazah, atau akta), bila ada perubahan data
    Untuk KTP-el baru, Bapak/Ibu perlu datang langsung untuk perekaman data (foto wajah, sidik jari, iris mata, dan tanda tangan). Melalui layanan ini Bapak/Ibu membuat jadwal perekaman.
ktp_el-jenis = Apa keperluan Bapak/Ibu? Mohon ketik nomor pilihan.
    .label = Keperluan
ktp_el-jenis-baru = KTP-el baru (belum pernah rekam data)
ktp_el-jenis-hilang = Penggantian KTP-el yang hilang
ktp_el-jenis-rusak = Penggantian KTP-el yang rusak
ktp_el-jenis-perubahan_data = Perubahan data KTP-el
ktp_el-surat_polisi =
    Apakah Bapak/Ibu sudah memiliki surat keterangan kehilangan dari kepolisian?
    Ketik *ya* atau *tidak*.
    .label = Surat kehilangan dari kepolisian
ktp_el-tanggal_lahir = Mohon ketik tanggal lahir Bapak/Ibu dengan urutan tanggal-bulan-tahun. Contoh: *17-08-2008*.
    .label = Tanggal lahir
ktp_el-nik = Mohon ketik NIK Bapak/Ibu (16 angka). Contoh: *6409011708900001*.
    .label = NIK
ktp_el-nama = Mohon ketik nama lengkap Bapak/Ibu sesuai Kartu Keluarga.
    .label = Nama lengkap
ktp_el-no_kk =
    Mohon ketik nomor Kartu Keluarga (16 angka). Nomor ini tertulis di bagian atas KK.
    Contoh: *6409012005150003*.
    .label = Nomor KK
ktp_el-foto_kk =
    Mohon kirim foto Kartu Keluarga.
    Pastikan seluruh halaman terlihat dan tulisannya jelas terbaca.
    .label = Foto KK
ktp_el-foto_ktp =
    Mohon kirim foto KTP-el yang rusak, bagian depan.
    Pastikan foto jelas dan tidak buram.
    .label = Foto KTP-el rusak
ktp_el-surat_kehilangan =
    Mohon kirim foto surat keterangan kehilangan dari kepolisian.
    Pastikan seluruh surat terlihat dan tulisannya jelas terbaca.
    .label = Surat kehilangan
ktp_el-bukti =
    Mohon kirim dokumen bukti perubahan data, misalnya buku nikah, ijazah, atau akta.
    Boleh berupa foto yang jelas atau file PDF.
    .label = Bukti perubahan data
ktp_el-ambil_di = Di mana Bapak/Ibu ingin mengambil KTP-el yang sudah jadi? Mohon ketik nomor pilihan.
    .label = Tempat pengambilan
ktp_el-ambil_di-kecamatan = Kantor kecamatan tempat tinggal
ktp_el-ambil_di-disdukcapil = Kantor Disdukcapil Penajam Paser Utara
ktp_el-ambil_di-mpp = Mal Pelayanan Publik (MPP) Penajam Paser Utara
ktp_el-tempat_rekam = Di mana Bapak/Ibu ingin melakukan perekaman data KTP-el? Mohon ketik nomor pilihan.
    .label = Tempat perekaman
ktp_el-tempat_rekam-disdukcapil = Kantor Disdukcapil Penajam Paser Utara
ktp_el-tempat_rekam-mpp = Mal Pelayanan Publik (MPP) Penajam Paser Utara
ktp_el-tempat_rekam-kecamatan = Kantor kecamatan tempat tinggal
ktp_el-tanggal_rekam =
    Kapan Bapak/Ibu ingin datang untuk perekaman? Pilih hari kerja (Senin sampai Jumat, bukan hari libur), paling lambat 30 hari dari sekarang.
    Mohon ketik tanggal-bulan-tahun, contoh: *07-12-2026*, atau ketik *besok*.
    .label = Tanggal perekaman
ktp_el-ringkasan = Mohon periksa kembali data permohonan KTP-el berikut:
ktp_el-jenis-baru-done =
    Mohon datang pada tanggal perekaman di jam kerja dan bawa:
    - Kartu Keluarga (asli atau fotokopi)
    - buku nikah atau akta perkawinan, bila belum berumur 17 tahun tetapi sudah menikah
    Perekaman dilakukan oleh petugas: foto wajah, sidik jari, iris mata, dan tanda tangan.
ktp_el-perlu_surat_polisi =
    Untuk KTP-el yang hilang, Disdukcapil memerlukan surat keterangan kehilangan dari kepolisian.
    Silakan urus surat tersebut di Polsek atau Polres terdekat dengan membawa Kartu Keluarga.
    Setelah surat didapat, ketik *ktp hilang* untuk mengajukan permohonan.
